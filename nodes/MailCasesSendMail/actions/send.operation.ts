import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ReplyOptions } from '../../../lib/cases/use-cases/reply-gate';
import { sendOnCase, type SendOnCaseDeps } from '../../../lib/cases/use-cases/send-on-case';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { readAttachments } from './read-attachments';

interface SendOptions extends ReplyOptions {
	attachments?: string;
	headers?: { header?: Array<{ name: string; value: string }> };
	caseNumber?: string | number;
	sendOnceKey?: string | number;
	onPermanentRejection?: 'recordAndContinue' | 'fail';
	[option: string]: unknown;
}

/** What the send operation needs besides the sender: the store (opened on first use), system id. */
export type SendContext = Omit<SendOnCaseDeps, 'sender'>;

/** An option's text: undefined when not in the collection, else trimmed ('' when empty). */
function optionText(options: SendOptions, name: 'caseNumber' | 'sendOnceKey'): string | undefined {
	if (!Object.prototype.hasOwnProperty.call(options, name)) return undefined;
	const value: unknown = options[name];
	return value === undefined || value === null ? '' : String(value).trim();
}

/** #13.1: the input item's `messageKey` (the trigger's key of the mail): empty Send Once Per uses it. */
function incomingMessageKey(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	const key: unknown = ctx.getInputData()[itemIndex]?.json?.messageKey;
	return typeof key === 'string' && key.trim() ? key.trim() : undefined;
}

/** Send: one mail per input item (lib/cases/use-cases/send-on-case.ts). */
export async function send(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sender: MailSender,
	context: SendContext,
): Promise<INodeExecutionData> {
	const param = (name: string, fallback?: unknown) =>
		ctx.getNodeParameter(name, itemIndex, fallback);
	const format = param('emailFormat') as string;
	const options = param('options', {}) as SendOptions;
	const { attachments, headers, ...rest } = options;
	const header = headers?.header ?? [];
	const {
		kind,
		case: onCase,
		...result
	} = await sendOnCase(
		{ ...context, sender },
		{
			...rest,
			to: param('to'),
			subject: param('subject', '') as string,
			text: format !== 'html' ? (param('text', '') as string) : undefined,
			html: format !== 'text' ? (param('html', '') as string) : undefined,
			headers: Object.fromEntries(header.filter((h) => h.name).map((h) => [h.name, h.value])),
			caseNumber: optionText(options, 'caseNumber'),
			sendOnceKey: optionText(options, 'sendOnceKey'),
			incomingMessageKey: incomingMessageKey(ctx, itemIndex),
			attachments: attachments ? () => readAttachments(ctx, itemIndex, attachments) : undefined,
		},
	);
	const json = {
		sent: kind === 'sent',
		replayed: kind === 'alreadySent',
		// #14.2: sent | replayed | skipped | rejected (a permanent rejection, with its reply)
		outcome: kind === 'alreadySent' ? 'replayed' : kind,
		...result,
		...(onCase ? { caseNumber: onCase.number, caseId: onCase.id } : {}),
		profileIsDefault: sender.isDefault,
		sentThrough: sender.kind,
	};
	return { json };
}
