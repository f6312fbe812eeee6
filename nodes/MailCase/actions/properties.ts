import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Parameters shared by several operations. */

/** `displayOptions` for one operation of one resource. */
export function showFor(resource: string, operation: string | string[]): IDisplayOptions {
	return {
		show: { resource: [resource], operation: Array.isArray(operation) ? operation : [operation] },
	};
}

export function caseNumberProperty(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Case Number',
		name: 'caseNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 2026-000123',
		displayOptions,
		description: 'Number of the case',
	};
}

export const FORM_FIELDS_OPTION: INodeProperties = {
	displayName: 'Form Fields',
	name: 'formFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Form Field',
	default: {},
	description:
		"Values of the workflow's main-form fields; text is read by the field's type (number 1.234,56 or 1234.56, date 29.11.2026 or 2026-11-29, boolean ja/nein or yes/no). An empty value clears the field.",
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};

export const FORM_FIELDS_JSON_OPTION: INodeProperties = {
	displayName: 'Form Fields (JSON)',
	name: 'formFieldsJson',
	type: 'json',
	default: '{}',
	description:
		'Form field values as a JSON object, e.g. {"Name": "Mustermann", "Amount": 12.5}; applied after Form Fields',
};

export const CHANGED_BY_PROPERTY = (displayOptions: IDisplayOptions): INodeProperties => ({
	displayName: 'Changed By',
	name: 'changedBy',
	type: 'string',
	default: '',
	placeholder: 'e.g. agent@example.com',
	displayOptions,
	description: 'Who made the change; recorded with each change in the activity list',
});

export const RETURN_ALL = (displayOptions: IDisplayOptions): INodeProperties => ({
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	displayOptions,
	description: 'Whether to return all results or only up to a given limit',
});

export const LIMIT = (displayOptions: IDisplayOptions): INodeProperties => ({
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 50,
	displayOptions: {
		show: { ...displayOptions.show, returnAll: [false] },
	},
	description: 'Max number of results to return',
});
