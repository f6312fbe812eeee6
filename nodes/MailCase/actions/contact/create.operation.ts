import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { outputItem } from '../common';
import { showFor } from '../properties';
import { CONTACT_DETAILS, type ContactDetails } from './shared';

const show = showFor('contact', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: CONTACT_DETAILS,
	},
];

/** Contact → Create: a contact directory entry (several contacts may share an address). */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const details = ctx.getNodeParameter('additionalFields', itemIndex, {}) as ContactDetails;
	const contact = await store.contacts.create({
		...details,
		email: ctx.getNodeParameter('email', itemIndex) as string,
	});
	return [outputItem(contact, itemIndex)];
}
