import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';
import type { ContactInput } from '../../../../lib/store';

/** Name, company and phone of a contact (for create and update). */
export const CONTACT_DETAILS: INodeProperties[] = [
	{ displayName: 'Company', name: 'company', type: 'string', default: '' },
	{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
	{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
	{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
];

export type ContactDetails = Partial<
	Pick<ContactInput, 'company' | 'firstName' | 'lastName' | 'phone' | 'email'>
>;

/** The contact to act on. */
export function contactSelect(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Contact Name or ID',
		name: 'contactId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getContacts' },
		required: true,
		default: '',
		displayOptions,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'An expression may also give an e-mail address (the oldest contact with it is used)',
	};
}
