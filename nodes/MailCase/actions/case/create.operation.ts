import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import type { CaseInput, Store } from '../../../../lib/store';
import {
	contactIdOf,
	formFieldValues,
	optionalText,
	orgUnitIdOf,
	outputItem,
	workflowIdOf,
	type FieldEntry,
} from '../common';
import { FORM_FIELDS_JSON_OPTION, FORM_FIELDS_OPTION, showFor } from '../properties';

const show = showFor('case', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Workflow Name or ID',
		name: 'workflowId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getActiveWorkflows' },
		required: true,
		default: '',
		displayOptions: show,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'The case workflow to start; only active workflows can start cases',
	},
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
		hint: 'Where the case is assigned first (its inbound workplace)',
	},
	{ ...FORM_FIELDS_OPTION, displayOptions: show },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
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
				hint: 'Contact of the case; an expression may also give an e-mail address (the oldest contact with it is used). Without a contact, the requester address is looked up in the contact directory',
			},
			FORM_FIELDS_JSON_OPTION,
			{
				displayName: 'Requester Address',
				name: 'requesterAddress',
				type: 'string',
				default: '',
				placeholder: 'e.g. customer@example.com',
				description: 'Address replies go to, e.g. the sender of the mail that opened the case',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'string',
				default: 'open',
			},
			{ displayName: 'Title', name: 'title', type: 'string', default: '' },
		],
	},
];

interface CreateFields {
	contactId?: string | number;
	formFieldsJson?: unknown;
	requesterAddress?: string;
	status?: string;
	title?: string;
}

/** Case → Create: a new case with the next case number. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const workflowId = await workflowIdOf(store, ctx.getNodeParameter('workflowId', itemIndex));
	const workflow = await store.workflows.get(workflowId);
	if (!workflow) throw new MailCasesError('NOT_FOUND', `Workflow ${workflowId} does not exist`);
	const label = `New case of workflow "${workflow.name}"`;
	const extra = ctx.getNodeParameter('additionalFields', itemIndex, {}) as CreateFields;
	const entries = (ctx.getNodeParameter('formFields', itemIndex, {}) as IDataObject).field as
		| FieldEntry[]
		| undefined;
	const input: CaseInput = {
		workflowId,
		responsibleOrgUnitId: await orgUnitIdOf(
			store,
			ctx.getNodeParameter('responsibleOrgUnitId', itemIndex),
		),
		fields: formFieldValues(label, workflow.fields, entries, extra.formFieldsJson),
		title: optionalText(extra.title) ?? null,
		status: optionalText(extra.status),
		requesterAddress: optionalText(extra.requesterAddress) ?? null,
	};
	if (optionalText(extra.contactId) !== undefined) {
		input.contactId = await contactIdOf(store, extra.contactId);
	}
	return [outputItem(await store.cases.create(input), itemIndex)];
}
