import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { outputItems } from '../common';
import { showFor } from '../properties';

const show = showFor('workflow', 'getAll');

export const description: INodeProperties[] = [
	{
		displayName: 'Active Only',
		name: 'activeOnly',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether to return only the workflows that can start cases',
	},
];

/** Workflow → Get Many: all workflows by name. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const activeOnly = ctx.getNodeParameter('activeOnly', itemIndex, false) as boolean;
	return outputItems(await store.workflows.list({ activeOnly }), itemIndex);
}
