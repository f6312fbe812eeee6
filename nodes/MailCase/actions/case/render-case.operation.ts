import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import { caseResponse } from '../../../../lib/desk/desk-pages';
import type { Store } from '../../../../lib/store';
import { optionalText } from '../common';
import { caseNumberProperty, showFor } from '../properties';
import { baseUrlProperty, responseItem } from './render';

const show = showFor('case', 'renderCase');

export const description: INodeProperties[] = [
	caseNumberProperty(show),
	{
		displayName: 'Attachment ID',
		name: 'attachmentId',
		type: 'string',
		default: '',
		placeholder: 'e.g. ={{ $json.query.attachment }}',
		displayOptions: show,
		description:
			"An attachment of the case to download instead of the page (the case page's attachment links carry it as &attachment=ID); empty: the page",
	},
	baseUrlProperty(show),
	{
		displayName: 'Form Base URL',
		name: 'formBaseUrl',
		type: 'string',
		default: '/form',
		displayOptions: show,
		description:
			'URL under which the forms of the Case Reply Form template are served (e.g. /form): the page links to FORM-BASE-URL/case-reply?Case=NUMBER etc.; empty: no action links',
	},
];

/**
 * Case → Render Case (#18): the case page as HTML (binary `data`, and `html`), or with
 * Attachment ID one of its stored attachments as a download, for a Respond to Webhook node.
 */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const caseNumber = optionalText(ctx.getNodeParameter('caseNumber', itemIndex, ''));
	if (caseNumber === undefined)
		throw new MailCasesError('INVALID_INPUT', 'Render Case: a case number is required');
	const attachment = optionalText(ctx.getNodeParameter('attachmentId', itemIndex, ''));
	if (attachment !== undefined && !/^\d{1,15}$/.test(attachment))
		throw new MailCasesError(
			'INVALID_INPUT',
			`Render Case: Attachment ID must be a number, got "${attachment.slice(0, 40)}"`,
		);
	const response = await caseResponse(store, {
		caseNumber,
		attachmentId: attachment === undefined ? undefined : Number(attachment),
		baseUrl: String(ctx.getNodeParameter('baseUrl', itemIndex, '/webhook') ?? ''),
		formBaseUrl: optionalText(ctx.getNodeParameter('formBaseUrl', itemIndex, '')),
	});
	return await responseItem(ctx, itemIndex, response, { caseNumber });
}
