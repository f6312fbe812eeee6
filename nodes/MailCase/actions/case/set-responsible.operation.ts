import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Store } from '../../../../lib/store';
import { caseByNumber, optionalText, orgUnitIdOf, outputItem } from '../common';
import { CHANGED_BY_PROPERTY, caseNumberProperty, showFor } from '../properties';
import { changeSummary } from './changes';

const show = showFor('case', 'setResponsible');

export const description: INodeProperties[] = [
	caseNumberProperty(show),
	{
		displayName: 'Responsible Org Unit or Role Name or ID',
		name: 'responsibleOrgUnitId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getOrgUnits' },
		required: true,
		default: '',
		displayOptions: show,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'The org unit or role that is responsible for the case from now on',
	},
	CHANGED_BY_PROPERTY(show),
];

/** Case → Set Responsible: assigns the case to another org unit / role (recorded as a change). */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const current = await caseByNumber(store, ctx.getNodeParameter('caseNumber', itemIndex));
	const responsibleOrgUnitId = await orgUnitIdOf(
		store,
		ctx.getNodeParameter('responsibleOrgUnitId', itemIndex),
	);
	const changedBy = optionalText(ctx.getNodeParameter('changedBy', itemIndex, '')) ?? null;
	const result = await store.cases.update(current.id, { responsibleOrgUnitId }, { changedBy });
	return [outputItem({ ...result.case, changes: changeSummary(result.changes) }, itemIndex)];
}
