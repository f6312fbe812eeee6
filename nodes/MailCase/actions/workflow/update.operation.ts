import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store, WorkflowInput } from '../../../../lib/store';
import { outputItem, workflowIdOf } from '../common';
import { showFor } from '../properties';
import { FIELD_LIST, fieldDefinitions } from './fields';
import { workflowSelect } from './select';

const show = showFor('workflow', 'update');

export const description: INodeProperties[] = [
	workflowSelect(show),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Active',
				name: 'active',
				type: 'boolean',
				default: true,
				description: 'Whether the workflow can start new cases',
			},
			{
				...FIELD_LIST,
				description: "The complete new list of the main form's fields (replaces the old list)",
			},
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
		],
	},
];

/** Workflow → Update: name, active flag and/or the field list. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const id = await workflowIdOf(store, ctx.getNodeParameter('workflowId', itemIndex));
	const set = ctx.getNodeParameter('updateFields', itemIndex, {}) as {
		active?: boolean;
		fields?: unknown;
		name?: string;
	};
	const patch: Partial<WorkflowInput> = {};
	if (set.name !== undefined) patch.name = set.name;
	if (set.active !== undefined) patch.active = set.active;
	if (set.fields !== undefined) patch.fields = fieldDefinitions(set.fields);
	return [outputItem(await store.workflows.update(id, patch), itemIndex)];
}
