import { validateFieldDefinitions, validateFieldValues } from '../../../lib/store';

const workflow = {
	name: 'Complaints',
	fields: validateFieldDefinitions('Complaints', [
		{ name: 'Name', type: 'text' },
		{ name: 'Amount', type: 'number', optional: true },
		{ name: 'Due', type: 'date' },
		{ name: 'Urgent', type: 'boolean' },
	]),
};

describe('form fields (R-PROC-5)', () => {
	test('definitions are cleaned and checked', () => {
		expect(workflow.fields[1]).toEqual({ name: 'Amount', type: 'number', optional: true });
		expect(workflow.fields[0].optional).toBe(false);
		expect(() => validateFieldDefinitions('W', [{ name: '@status', type: 'text' }])).toThrow(
			/must not start with @/,
		);
		expect(() => validateFieldDefinitions('W', [{ name: ' ', type: 'text' }])).toThrow(
			/field 1 has no name/,
		);
		expect(() => validateFieldDefinitions('W', { a: 1 })).toThrow(/must be a list/);
	});

	test('values of the right type pass, null clears', () => {
		expect(
			validateFieldValues(
				workflow,
				{ Name: 'Grüße', Amount: -3.5, Due: '2024-02-29', Urgent: false },
				'Case 2026-000001',
			),
		).toEqual({ Name: 'Grüße', Amount: -3.5, Due: '2024-02-29', Urgent: false });
		expect(validateFieldValues(workflow, { Amount: null }, 'Case 2026-000001')).toEqual({
			Amount: null,
		});
		expect(validateFieldValues(workflow, undefined, 'x')).toEqual({});
	});

	test.each([
		[{ Amount: Number.NaN }, /"Amount" expects a number/],
		[{ Amount: '3' }, /"Amount" expects a number, got "3"/],
		[{ Due: '2023-02-29' }, /"Due" expects a date YYYY-MM-DD/],
		[{ Due: '01.02.2026' }, /"Due" expects a date/],
		[{ Urgent: 1 }, /"Urgent" expects true or false/],
		[{ Name: 5 }, /"Name" expects text/],
		[{ name: 'x' }, /has no field "name" \(fields: Name, Amount, Due, Urgent\)/],
	])('%p is refused with FIELD_INVALID', (values, message) => {
		expect(() => validateFieldValues(workflow, values as never, 'Case 2026-000007')).toThrow(
			expect.objectContaining({ code: 'FIELD_INVALID', message: expect.stringMatching(message) }),
		);
		expect(() => validateFieldValues(workflow, values as never, 'Case 2026-000007')).toThrow(
			/Case 2026-000007/,
		);
	});
});
