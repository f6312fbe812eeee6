import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { caseByNumber, outputItem } from '../common';
import { caseNumberProperty, showFor } from '../properties';

const show = showFor('case', 'get');

export const description: INodeProperties[] = [
	caseNumberProperty(show),
	{
		displayName: 'Include Activities',
		name: 'includeActivities',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description:
			"Whether to add the case's activity list (mails, notes, field changes; attachments without content)",
	},
];

/** Case → Get: the case with this number. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const found = await caseByNumber(store, ctx.getNodeParameter('caseNumber', itemIndex));
	if (!ctx.getNodeParameter('includeActivities', itemIndex, false)) {
		return [outputItem(found, itemIndex)];
	}
	const activities = await store.activities.listForCase(found.id, { limit: 5000 });
	return [outputItem({ ...found, activities }, itemIndex)];
}
