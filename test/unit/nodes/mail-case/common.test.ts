/**
 * Form field input of the Mail Case node (R-PROC-5): text typed in the editor is read by the
 * workflow's field type before the store checks it; wrong values name the case and the field.
 */
import { formFieldValues, addressList, toJson } from '../../../../nodes/MailCase/actions/common';
import type { FieldDefinition } from '../../../../lib/store';

const defs: FieldDefinition[] = [
	{ name: 'Name', type: 'text' },
	{ name: 'Amount', type: 'number', optional: true },
	{ name: 'Due', type: 'date', optional: true },
	{ name: 'Urgent', type: 'boolean', optional: true },
];

describe('Mail Case form field input (R-PROC-5)', () => {
	test('text is read by the field type; names match regardless of letter case', () => {
		expect(
			formFieldValues(
				'Case 2026-000001',
				defs,
				[
					{ name: 'name', value: ' Mustermann ' },
					{ name: 'AMOUNT', value: '1.234,56' },
					{ name: 'Due', value: '29.11.2026' },
					{ name: 'Urgent', value: 'nein' },
				],
				undefined,
			),
		).toEqual({ Name: 'Mustermann', Amount: 1234.56, Due: '2026-11-29', Urgent: false });
	});

	test('an empty value clears the field; typed JSON values are kept and applied last', () => {
		expect(
			formFieldValues(
				'Case 2026-000001',
				defs,
				[
					{ name: 'Amount', value: '' },
					{ name: 'Name', value: 'A' },
				],
				'{"Name": "B", "Urgent": true, "Amount": 3}',
			),
		).toEqual({ Name: 'B', Urgent: true, Amount: 3 });
		expect(
			formFieldValues('Case 2026-000001', defs, [{ name: 'Due', value: '  ' }], undefined),
		).toEqual({ Due: null });
	});

	test('nothing given → undefined (the case fields are left alone)', () => {
		expect(formFieldValues('Case 2026-000001', defs, undefined, '{}')).toBeUndefined();
		expect(formFieldValues('Case 2026-000001', defs, [], '')).toBeUndefined();
	});

	test('a wrong value names the case, the field and what is wrong', () => {
		expect(() =>
			formFieldValues('Case 2026-000001', defs, [{ name: 'Amount', value: 'zwölf' }], undefined),
		).toThrow('Case 2026-000001: field "Amount" (number): "zwölf": not a number');
		expect(() =>
			formFieldValues('Case 2026-000001', defs, [{ name: 'Due', value: '29.11.26' }], undefined),
		).toThrow(/^Case 2026-000001: field "Due" \(date\): "29\.11\.26": two-digit year is ambiguous/);
		expect(() =>
			formFieldValues('Case 2026-000001', defs, [{ name: ' ', value: 'x' }], undefined),
		).toThrow('Case 2026-000001: a form field has no name');
		expect(() => formFieldValues('Case 2026-000001', defs, undefined, '{"Name": ')).toThrow(
			'Case 2026-000001: Form Fields (JSON) is not valid JSON',
		);
		expect(() => formFieldValues('Case 2026-000001', defs, undefined, '[1]')).toThrow(
			'Case 2026-000001: Form Fields (JSON) must be an object of field name → value',
		);
	});

	test('a field the workflow does not have is passed on for the store to reject by name', () => {
		expect(
			formFieldValues('Case 2026-000001', defs, [{ name: 'Colour', value: 'blau' }], undefined),
		).toEqual({
			Colour: 'blau',
		});
	});
});

describe('Mail Case node output helpers', () => {
	test('member lists are split at commas, semicolons and line breaks', () => {
		expect(addressList('a@example.com, b@example.com;c@example.com\n\nd@example.com ')).toEqual([
			'a@example.com',
			'b@example.com',
			'c@example.com',
			'd@example.com',
		]);
	});

	test('entities become JSON with ISO timestamps (nested too), Buffers are left out', () => {
		const at = new Date(Date.UTC(2026, 10, 29, 8, 30));
		const json = toJson({
			id: 1,
			createdAt: at,
			list: [{ at }],
			content: Buffer.from('x'),
			n: null,
		});
		expect(json).toEqual({
			id: 1,
			createdAt: '2026-11-29T08:30:00.000Z',
			list: [{ at: '2026-11-29T08:30:00.000Z' }],
			n: null,
		});
		expect(Object.keys(json)).toEqual(['id', 'createdAt', 'list', 'n']);
	});
});
