import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { CaseFilter, Store } from '../../../../lib/store';
import { contactIdOf, optionalText, orgUnitIdOf, outputItems, workflowIdOf } from '../common';
import { LIMIT, RETURN_ALL, showFor } from '../properties';
import { pageThrough } from '../paging';

const show = showFor('case', 'getAll');

export const description: INodeProperties[] = [
	RETURN_ALL(show),
	LIMIT(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Contact Name or ID',
				name: 'contactId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getContacts' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only cases of this contact',
			},
			{
				displayName: 'Responsible Org Unit or Role Name or ID',
				name: 'responsibleOrgUnitId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getOrgUnits' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only cases this org unit or role is responsible for',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'string',
				default: '',
				placeholder: 'e.g. open',
				description: 'Only cases with this status',
			},
			{
				displayName: 'Workflow Name or ID',
				name: 'workflowId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getWorkflows' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only cases of this workflow',
			},
		],
	},
];

interface Filters {
	contactId?: string | number;
	responsibleOrgUnitId?: string | number;
	status?: string;
	workflowId?: string | number;
}

/** Case → Get Many: cases, newest first, optionally filtered. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as Filters;
	const filter: CaseFilter = {};
	if (optionalText(filters.workflowId) !== undefined)
		filter.workflowId = await workflowIdOf(store, filters.workflowId);
	if (optionalText(filters.responsibleOrgUnitId) !== undefined)
		filter.responsibleOrgUnitId = await orgUnitIdOf(store, filters.responsibleOrgUnitId);
	if (optionalText(filters.contactId) !== undefined)
		filter.contactId = await contactIdOf(store, filters.contactId);
	const status = optionalText(filters.status);
	if (status !== undefined) filter.status = status;
	const cases = await pageThrough(ctx, itemIndex, (limit, offset) =>
		store.cases.list({ ...filter, limit, offset }),
	);
	return outputItems(cases, itemIndex);
}
