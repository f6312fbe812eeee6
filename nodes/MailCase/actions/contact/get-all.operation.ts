import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { outputItems } from '../common';
import { pageThrough } from '../paging';
import { LIMIT, RETURN_ALL, showFor } from '../properties';

const show = showFor('contact', 'getAll');

export const description: INodeProperties[] = [RETURN_ALL(show), LIMIT(show)];

/** Contact → Get Many: the contact directory, oldest first. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const contacts = await pageThrough(ctx, itemIndex, (limit, offset) =>
		store.contacts.list({ limit, offset }),
	);
	return outputItems(contacts, itemIndex);
}
