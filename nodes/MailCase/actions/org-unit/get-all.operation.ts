import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { optionalText, outputItems } from '../common';
import { showFor } from '../properties';

const show = showFor('orgUnit', 'getAll');

export const description: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Member E-Mail',
				name: 'member',
				type: 'string',
				default: '',
				placeholder: 'e.g. anna@example.com',
				description: 'Only org units and roles that have this member (any letter case)',
			},
		],
	},
];

/** Org Unit → Get Many: the org chart by name. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as { member?: string };
	const member = optionalText(filters.member);
	const units = member ? await store.orgUnits.findByMember(member) : await store.orgUnits.list();
	return outputItems(units, itemIndex);
}
