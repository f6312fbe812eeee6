import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Case, Store } from '../../../../lib/store';
import { caseByNumber, outputItem } from '../common';
import { caseNumberProperty, showFor } from '../properties';

const show = showFor('case', 'delete');

export const description: INodeProperties[] = [caseNumberProperty(show)];

/** Case → Delete: removes the case and its activity list. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const target: Case = await caseByNumber(store, ctx.getNodeParameter('caseNumber', itemIndex));
	// One transaction: the case with its activities, attachments and Message-ID links. The
	// processed-mail ledger keeps its entries, so the case's mails are not read in again.
	await store.cases.delete(target.id);
	return [outputItem({ deleted: true, id: target.id, number: target.number }, itemIndex)];
}
