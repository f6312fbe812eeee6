import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { contactIdOf, outputItem } from '../common';
import { showFor } from '../properties';
import { CONTACT_DETAILS, contactSelect, type ContactDetails } from './shared';

const show = showFor('contact', 'update');

export const description: INodeProperties[] = [
	contactSelect(show),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			CONTACT_DETAILS[0],
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			...CONTACT_DETAILS.slice(1),
		],
	},
];

/** Contact → Update: e-mail, name, company, phone (an emptied field is cleared). */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const id = await contactIdOf(store, ctx.getNodeParameter('contactId', itemIndex));
	const patch = ctx.getNodeParameter('updateFields', itemIndex, {}) as ContactDetails;
	return [outputItem(await store.contacts.update(id, patch), itemIndex)];
}
