import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sendOnCase, type SendOnCaseResult, type SendStore } from '../../../lib/cases/use-cases/send-on-case';
import type { ReplyOptions } from '../../../lib/cases/use-cases/reply-gate';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { readAttachments } from './read-attachments';

interface SendOptions extends ReplyOptions {
	attachments?: string;
	headers?: { header?: Array<{ name: string; value: string }> };
	caseNumber?: string | number;
	sendOnceKey?: string | number;
	[option: string]: unknown;
}

/** What the send operation needs besides the sender: only the case options open the store. */
export interface SendContext {
	store: () => Promise<SendStore>;
	/** The n8n instance id, part of the Send Once Per Message-ID. */
	systemId: string;
}

/** An option's text: undefined when not in the collection, else trimmed ('' when empty). */
function optionText(options: SendOptions, name: 'caseNumber' | 'sendOnceKey'): string | undefined {
	if (!Object.prototype.hasOwnProperty.call(options, name)) return undefined;
	const value: unknown = options[name];
	return value === undefined || value === null ? '' : String(value).trim();
}

function itemJson(result: SendOnCaseResult, sender: MailSender): IDataObject {
	const onCase = result.case ? { caseNumber: result.case.number, caseId: result.case.id } : {};
	const end = { from: result.from, subject: result.subject, ...onCase, profileIsDefault: sender.isDefault, sentThrough: sender.kind };
	if (result.kind === 'sent') {
		const { accepted, rejected, response } = result.sent;
		return { sent: true, replayed: false, messageId: result.messageId, accepted, rejected, response, ...end };
	}
	if (result.kind === 'alreadySent')
		return { sent: false, replayed: true, reason: result.reason, messageId: result.messageId, ...end };
	const limit = result.limit ? { limit: result.limit } : {};
	return { sent: false, replayed: false, skipped: result.skipped, reason: result.reason, ...limit, ...end };
}

/** Send: one mail per input item (lib/cases/use-cases/send-on-case.ts). */
export async function send(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sender: MailSender,
	context: SendContext,
): Promise<INodeExecutionData> {
	const param = (name: string, fallback?: unknown) => ctx.getNodeParameter(name, itemIndex, fallback);
	const format = param('emailFormat') as string;
	const options = param('options', {}) as SendOptions;
	const { attachments, headers, ...rest } = options;
	const result = await sendOnCase(
		{ sender, store: context.store, systemId: context.systemId },
		{
			...rest,
			to: param('to'),
			subject: param('subject', '') as string,
			text: format !== 'html' ? (param('text', '') as string) : undefined,
			html: format !== 'text' ? (param('html', '') as string) : undefined,
			headers: Object.fromEntries((headers?.header ?? []).filter((h) => h.name).map((h) => [h.name, h.value])),
			caseNumber: optionText(options, 'caseNumber'),
			sendOnceKey: optionText(options, 'sendOnceKey'),
			attachments: attachments ? () => readAttachments(ctx, itemIndex, attachments) : undefined,
		},
	);
	return { json: itemJson(result, sender), pairedItem: { item: itemIndex } };
}
