import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { boardResponse } from '../../../../lib/desk/desk-pages';
import type { Store } from '../../../../lib/store';
import { optionalText, orgUnitIdOf } from '../common';
import { showFor } from '../properties';
import { baseUrlProperty, responseItem } from './render';

const show = showFor('case', 'renderBoard');

export const description: INodeProperties[] = [
	{
		displayName: 'Org Unit or Role',
		name: 'boardOrgUnit',
		type: 'string',
		default: '',
		placeholder: 'e.g. Support, or ={{ $json.query.unit }}',
		displayOptions: show,
		description: 'Only cases this org unit or role (name or ID) is responsible for; empty: all',
	},
	{
		displayName: 'Status',
		name: 'boardStatus',
		type: 'string',
		default: 'open',
		displayOptions: show,
		description: 'The status of the cases listed',
	},
	{
		displayName: 'Page',
		name: 'boardPage',
		type: 'string',
		default: '={{ $json.query?.page ?? 1 }}',
		displayOptions: show,
		description: 'Page to show (1 = the most recently active cases); a wrong value shows page 1',
	},
	{
		displayName: 'Page Size',
		name: 'boardPageSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 200 },
		default: 50,
		displayOptions: show,
		description: 'Cases per page',
	},
	baseUrlProperty(show),
];

/**
 * Case → Render Board (#18): one page of the case board as HTML (binary `data`, and `html`),
 * for a Respond to Webhook node.
 */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const unit = optionalText(ctx.getNodeParameter('boardOrgUnit', itemIndex, ''));
	const orgUnitId = unit === undefined ? undefined : await orgUnitIdOf(store, unit);
	const response = await boardResponse(store, {
		page: ctx.getNodeParameter('boardPage', itemIndex, 1),
		pageSize: Number(ctx.getNodeParameter('boardPageSize', itemIndex, 50)),
		orgUnitId,
		status: optionalText(ctx.getNodeParameter('boardStatus', itemIndex, 'open')) ?? 'open',
		baseUrl: String(ctx.getNodeParameter('baseUrl', itemIndex, '/webhook') ?? ''),
	});
	return await responseItem(ctx, itemIndex, response, {});
}
