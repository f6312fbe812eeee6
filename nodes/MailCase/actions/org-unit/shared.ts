import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

export const KIND_PROPERTY: INodeProperties = {
	displayName: 'Kind',
	name: 'kind',
	type: 'options',
	options: [
		{ name: 'Org Unit', value: 'org_unit' },
		{ name: 'Role', value: 'role' },
	],
	default: 'org_unit',
};

export const MEMBERS_PROPERTY: INodeProperties = {
	displayName: 'Member E-Mails',
	name: 'members',
	type: 'string',
	default: '',
	placeholder: 'e.g. anna@example.com, ben@example.com',
	description:
		'E-mail addresses of the members, separated by commas or line breaks; they are notified about their cases',
};

/** The org unit / role to act on. */
export function orgUnitSelect(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Org Unit or Role Name or ID',
		name: 'orgUnitId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getOrgUnits' },
		required: true,
		default: '',
		displayOptions,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'An expression may also give the name',
	};
}
