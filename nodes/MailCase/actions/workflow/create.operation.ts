import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { outputItem } from '../common';
import { showFor } from '../properties';
import { FIELD_LIST, fieldDefinitions } from './fields';

const show = showFor('workflow', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Complaints',
		displayOptions: show,
		description: 'Unique name of the case workflow',
	},
	{
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		displayOptions: show,
		description: 'Whether the workflow can start new cases',
	},
	{ ...FIELD_LIST, displayOptions: show },
];

/** Workflow → Create: a case workflow with its main-form fields. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const workflow = await store.workflows.create({
		name: ctx.getNodeParameter('name', itemIndex) as string,
		active: ctx.getNodeParameter('active', itemIndex, true) as boolean,
		fields: fieldDefinitions(ctx.getNodeParameter('fields', itemIndex, {})),
	});
	return [outputItem(workflow, itemIndex)];
}
