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
			"Whether to add the case's history as activities, oldest first: mails received and sent (kind, purpose such as acknowledgement or notification, outcome sent, rejected, failed or bounced, and the server's words in outcomeDetail), bounces (outcome delivery_failure), notes (Field-line feedback: outcome field_feedback) and field changes; attachments without content",
	},
];

/**
 * Case → Get: the case with this number; with Include Activities its whole history in the order
 * it was recorded (`activities`: kind, purpose, outcome, outcomeDetail, ... per activity).
 */
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
