import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OrgUnitKind, Store } from '../../../../lib/store';
import { addressList, outputItem } from '../common';
import { showFor } from '../properties';
import { KIND_PROPERTY, MEMBERS_PROPERTY } from './shared';

const show = showFor('orgUnit', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Support',
		displayOptions: show,
		description: 'Unique name of the org unit or role',
	},
	{ ...KIND_PROPERTY, displayOptions: show },
	{ ...MEMBERS_PROPERTY, displayOptions: show },
];

/** Org Unit → Create: an org unit or role with the e-mail addresses of its members. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const unit = await store.orgUnits.create({
		name: ctx.getNodeParameter('name', itemIndex) as string,
		kind: ctx.getNodeParameter('kind', itemIndex, 'org_unit') as OrgUnitKind,
		members: addressList(ctx.getNodeParameter('members', itemIndex, '')),
	});
	return [outputItem(unit, itemIndex)];
}
