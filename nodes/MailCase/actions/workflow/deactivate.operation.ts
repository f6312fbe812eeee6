import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { outputItem, workflowIdOf } from '../common';
import { showFor } from '../properties';
import { workflowSelect } from './select';

export const description: INodeProperties[] = [workflowSelect(showFor('workflow', 'deactivate'))];

/** Workflow → Deactivate: the workflow starts no new cases; its cases stay. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const id = await workflowIdOf(store, ctx.getNodeParameter('workflowId', itemIndex));
	return [outputItem(await store.workflows.update(id, { active: false }), itemIndex)];
}
