/**
 * Issue #12.3: one Field-line options block for the nodes that read `Field = Value` lines.
 * R-PROC-5: the same labels and saved parameter names in Create Case From Mail, Add to Case and
 * Parse Fields, each inside the collection the node's saved workflows already use.
 */
import type { INodeProperties } from 'n8n-workflow';
import { AddToCase } from '../../../nodes/AddToCase/AddToCase.node';
import { CreateCaseFromMail } from '../../../nodes/CreateCaseFromMail/CreateCaseFromMail.node';
import { ParseFields } from '../../../nodes/ParseFields/ParseFields.node';
import {
	decimalSeparatorOption,
	fieldLineOptions,
	fieldLineSettings,
} from '../../../nodes/shared/field-line-options';

function collection(properties: INodeProperties[], name: string): INodeProperties[] {
	const found = properties.find((p) => p.name === name && p.type === 'collection');
	if (!found) throw new Error(`no collection ${name}`);
	return found.options as INodeProperties[];
}

describe('R-PROC-5: the Field-line options', () => {
	test.each([
		['Create Case From Mail', new CreateCaseFromMail().description.properties, 'options'],
		['Add to Case', new AddToCase().description.properties, 'fieldOptions'],
		['Parse Fields', new ParseFields().description.properties, 'options'],
	])('%s shows the shared block in its saved collection "%s"', (_node, properties, name) => {
		const options = collection(properties, name);
		for (const option of fieldLineOptions) expect(options).toContainEqual(option);
		const names = options.map((o) => o.displayName);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});

	test('the case nodes read numbers the same way', () => {
		expect(collection(new CreateCaseFromMail().description.properties, 'options')).toContainEqual(
			decimalSeparatorOption,
		);
		expect(collection(new AddToCase().description.properties, 'fieldOptions')).toContainEqual(
			decimalSeparatorOption,
		);
	});

	test('the option values as the use cases take them', () => {
		expect(fieldLineSettings(undefined)).toEqual({
			separators: ['='],
			caseInsensitive: false,
			allowedFields: null,
			decimalSeparator: undefined,
		});
		expect(
			fieldLineSettings({
				colonSeparator: true,
				caseInsensitive: true,
				allowedFields: ' Name, ,Straße ',
				decimalSeparator: ',',
			}),
		).toEqual({
			separators: ['=', ':'],
			caseInsensitive: true,
			allowedFields: ['Name', 'Straße'],
			decimalSeparator: ',',
		});
		expect(fieldLineSettings({ allowedFields: ' , ', decimalSeparator: '' })).toMatchObject({
			allowedFields: null,
			decimalSeparator: undefined,
		});
	});
});
