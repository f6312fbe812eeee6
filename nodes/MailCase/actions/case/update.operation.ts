import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import type { CaseUpdate, Store } from '../../../../lib/store';
import {
	caseByNumber,
	contactIdOf,
	formFieldValues,
	optionalText,
	outputItem,
	type FieldEntry,
} from '../common';
import {
	CHANGED_BY_PROPERTY,
	FORM_FIELDS_JSON_OPTION,
	FORM_FIELDS_OPTION,
	caseNumberProperty,
	showFor,
} from '../properties';
import { changeSummary } from './changes';

const show = showFor('case', 'update');

export const description: INodeProperties[] = [
	caseNumberProperty(show),
	{ ...FORM_FIELDS_OPTION, displayOptions: show },
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
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
				hint: 'New contact of the case; an expression may also give an e-mail address',
			},
			FORM_FIELDS_JSON_OPTION,
			{
				displayName: 'Requester Address',
				name: 'requesterAddress',
				type: 'string',
				default: '',
				description: 'Address replies go to',
			},
			{ displayName: 'Status', name: 'status', type: 'string', default: '' },
			{ displayName: 'Title', name: 'title', type: 'string', default: '' },
		],
	},
	CHANGED_BY_PROPERTY(show),
];

interface UpdateFields {
	contactId?: string | number;
	formFieldsJson?: unknown;
	requesterAddress?: string;
	status?: string;
	title?: string;
}

/**
 * Case → Update: form fields, status, title, contact, requester address. Every value that
 * really changes is recorded as a field change with its old and new value.
 */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const current = await caseByNumber(store, ctx.getNodeParameter('caseNumber', itemIndex));
	const label = `Case ${current.number}`;
	const workflow = await store.workflows.get(current.workflowId);
	if (!workflow) {
		throw new MailCasesError(
			'NOT_FOUND',
			`${label}: its workflow ${current.workflowId} does not exist`,
		);
	}
	const set = ctx.getNodeParameter('updateFields', itemIndex, {}) as UpdateFields;
	const entries = (ctx.getNodeParameter('formFields', itemIndex, {}) as IDataObject).field as
		| FieldEntry[]
		| undefined;
	const update: CaseUpdate = {};
	const fields = formFieldValues(label, workflow.fields, entries, set.formFieldsJson);
	if (fields) update.fields = fields;
	if (set.title !== undefined) update.title = optionalText(set.title) ?? null;
	if (optionalText(set.status) !== undefined) update.status = optionalText(set.status);
	if (set.requesterAddress !== undefined)
		update.requesterAddress = optionalText(set.requesterAddress) ?? null;
	if (optionalText(set.contactId) !== undefined)
		update.contactId = await contactIdOf(store, set.contactId);
	const changedBy = optionalText(ctx.getNodeParameter('changedBy', itemIndex, '')) ?? null;
	const result = await store.cases.update(current.id, update, { changedBy });
	return [outputItem({ ...result.case, changes: changeSummary(result.changes) }, itemIndex)];
}
