import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { contactIdOf, outputItem } from '../common';
import { showFor } from '../properties';
import { contactSelect } from './shared';

export const description: INodeProperties[] = [contactSelect(showFor('contact', 'delete'))];

/** Contact → Delete: cases of the contact keep their requester address but lose the link. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const id = await contactIdOf(store, ctx.getNodeParameter('contactId', itemIndex));
	const contact = await store.contacts.get(id);
	await store.contacts.delete(id);
	return [outputItem({ deleted: true, id, email: contact?.email ?? null }, itemIndex)];
}
