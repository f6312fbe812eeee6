import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import type { Store } from '../../../../lib/store';
import { caseByNumber, optionalText, outputItem } from '../common';
import { caseNumberProperty, showFor } from '../properties';

const show = showFor('case', 'addNote');

export const description: INodeProperties[] = [
	caseNumberProperty(show),
	{
		displayName: 'Note',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		displayOptions: show,
		description: "Text of the note added to the case's activity list",
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Author',
				name: 'author',
				type: 'string',
				default: '',
				placeholder: 'e.g. agent@example.com',
				description: 'Who wrote the note',
			},
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
		],
	},
];

/** Case → Add Note: a note activity; the output is the note with the case number. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const target = await caseByNumber(store, ctx.getNodeParameter('caseNumber', itemIndex));
	const text = String(ctx.getNodeParameter('text', itemIndex, '') ?? '');
	if (!text.trim()) {
		throw new MailCasesError('INVALID_INPUT', `Case ${target.number}: the note is empty`);
	}
	const extra = ctx.getNodeParameter('additionalFields', itemIndex, {}) as {
		author?: string;
		subject?: string;
	};
	const note = await store.activities.add({
		caseId: target.id,
		kind: 'note',
		text,
		author: optionalText(extra.author) ?? null,
		subject: optionalText(extra.subject) ?? null,
	});
	return [outputItem({ caseNumber: target.number, ...note }, itemIndex)];
}
