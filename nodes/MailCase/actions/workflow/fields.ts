import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { FieldDefinition, FieldType } from '../../../../lib/store';

/** The main-form field list of a workflow (name, type, optional). */
export const FIELD_LIST: INodeProperties = {
	displayName: 'Form Fields',
	name: 'fields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Form Field',
	default: {},
	description: "The fields of the workflow's main form",
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					description: 'Field name as written in mails: Name = Mustermann sets field Name',
				},
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					options: [
						{ name: 'Boolean', value: 'boolean' },
						{ name: 'Date', value: 'date' },
						{ name: 'Number', value: 'number' },
						{ name: 'Text', value: 'text' },
					],
					default: 'text',
				},
				{
					displayName: 'Optional',
					name: 'optional',
					type: 'boolean',
					default: false,
					description: 'Whether the field may stay empty',
				},
			],
		},
	],
};

/** The fixedCollection value → field definitions (the store checks names and types). */
export function fieldDefinitions(value: unknown): FieldDefinition[] {
	const entries = ((value as IDataObject | undefined)?.field ?? []) as IDataObject[];
	return entries.map((entry) => ({
		name: typeof entry.name === 'string' ? entry.name : '',
		type: (entry.type ?? 'text') as FieldType,
		optional: entry.optional === true,
	}));
}
