import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { OrgUnitInput, OrgUnitKind, Store } from '../../../../lib/store';
import { addressList, orgUnitIdOf, outputItem } from '../common';
import { showFor } from '../properties';
import { KIND_PROPERTY, MEMBERS_PROPERTY, orgUnitSelect } from './shared';

const show = showFor('orgUnit', 'update');

export const description: INodeProperties[] = [
	orgUnitSelect(show),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			KIND_PROPERTY,
			{
				...MEMBERS_PROPERTY,
				description:
					'The complete new member list (replaces the old one): e-mail addresses separated by commas or line breaks; empty removes all members',
			},
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
		],
	},
];

/** Org Unit → Update: name, kind and/or the member list. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const id = await orgUnitIdOf(store, ctx.getNodeParameter('orgUnitId', itemIndex));
	const set = ctx.getNodeParameter('updateFields', itemIndex, {}) as {
		kind?: OrgUnitKind;
		members?: string;
		name?: string;
	};
	const patch: Partial<OrgUnitInput> = {};
	if (set.name !== undefined) patch.name = set.name;
	if (set.kind !== undefined) patch.kind = set.kind;
	if (set.members !== undefined) patch.members = addressList(set.members);
	return [outputItem(await store.orgUnits.update(id, patch), itemIndex)];
}
