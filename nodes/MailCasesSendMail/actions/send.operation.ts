import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { withCaseReference } from '../../../lib/cases/case-number';
import { recordSentOnCase, wasSentBefore } from '../../../lib/cases/sent-on-case';
import { MailCasesError } from '../../../lib/errors';
import { onceMessageId } from '../../../lib/mail/once-message-id';
import { buildOutgoingMessage, type OutgoingAttachment } from '../../../lib/mail/outgoing-message';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import type { Store } from '../../../lib/store';
import { checkReplyOptions, replyGate, type ReplyOptions } from './reply-gate';

interface SendOptions extends ReplyOptions {
	attachments?: string;
	bcc?: string;
	cc?: string;
	headers?: { header?: Array<{ name: string; value: string }> };
	inReplyTo?: string;
	messageId?: string;
	references?: string;
	replyTo?: string;
	caseNumber?: string | number;
	sendOnceKey?: string | number;
}

/** What the send operation needs besides the sender: only Record on Case opens the store. */
export interface SendContext {
	/** The case store of the node (credential, or the embedded SQLite store); opened on first call. */
	store: () => Promise<Store>;
	/** The n8n instance id, part of the Send Once Per Message-ID. */
	systemId: string;
}

/**
 * An option's text: undefined when the option is not in the collection, else trimmed ('' when
 * its expression gave nothing, so an option that was added is never silently ignored).
 */
function optionText(options: SendOptions, name: 'caseNumber' | 'sendOnceKey'): string | undefined {
	if (!Object.prototype.hasOwnProperty.call(options, name)) return undefined;
	const value: unknown = options[name];
	return value === undefined || value === null ? '' : String(value).trim();
}

async function readAttachments(ctx: IExecuteFunctions, itemIndex: number, names: string): Promise<OutgoingAttachment[]> {
	const result: OutgoingAttachment[] = [];
	for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) {
		const item = ctx.getInputData()[itemIndex];
		if (!item.binary?.[name]) {
			throw new MailCasesError('INVALID_INPUT', `The input item has no binary property "${name}" to attach.`);
		}
		const meta = ctx.helpers.assertBinaryData(itemIndex, name);
		const content = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
		result.push({ filename: meta.fileName ?? name, content, contentType: meta.mimeType });
	}
	return result;
}

/**
 * Send: one mail per input item through the execution's sender (SMTP pool or Graph client).
 * With Record on Case the sent Message-ID is linked to the case (R-PLUS-4); with Send Once Per as
 * well, the Message-ID is deterministic and a mail whose id is already recorded is not sent again
 * (R-PLUS-2).
 */
export async function send(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sender: MailSender,
	context: SendContext,
): Promise<INodeExecutionData> {
	const format = ctx.getNodeParameter('emailFormat', itemIndex) as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as SendOptions;
	let subject = ctx.getNodeParameter('subject', itemIndex, '') as string;
	const caseNumber = optionText(options, 'caseNumber');
	const onceKey = optionText(options, 'sendOnceKey');
	if (onceKey !== undefined && caseNumber === undefined) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'"Send Once Per" needs "Record on Case": set the number of the case the mail belongs to',
		);
	}
	if (onceKey !== undefined && String(options.messageId ?? '').trim()) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'"Message-ID" and "Send Once Per" cannot be used together: Send Once Per sets the Message-ID itself',
		);
	}
	if (caseNumber === '') {
		throw new MailCasesError('INVALID_INPUT', '"Record on Case" is empty: no case number to record the mail on');
	}
	if (onceKey === '') {
		throw new MailCasesError('INVALID_INPUT', '"Send Once Per" is empty: no key to send the mail once for');
	}
	checkReplyOptions(options);

	const base: IDataObject = {};
	let recordOn: { id: number; number: string } | undefined;
	let store: Store | undefined;
	let messageId = options.messageId || undefined;
	if (caseNumber !== undefined) {
		store = await context.store();
		const theCase = await store.cases.getByNumber(caseNumber);
		if (!theCase) {
			throw new MailCasesError(
				'NOT_FOUND',
				`Record on Case: case ${caseNumber} does not exist in ${store.description}; nothing was sent`,
			);
		}
		recordOn = theCase;
		// issue #11.7: a mail sent for a case carries its signed reference (added, or an unsigned
		// [#number] made signed), so that a reply from anyone who got it matches the case
		subject = withCaseReference(subject, theCase.number, await store.caseReferenceKey());
		base.caseNumber = theCase.number;
		base.caseId = theCase.id;
		if (onceKey !== undefined) {
			messageId = onceMessageId({
				systemId: context.systemId,
				scope: 'send',
				caseId: theCase.id,
				key: onceKey,
				fromAddress: sender.from.address,
			});
			if (await wasSentBefore(store.cases, messageId)) {
				return {
					json: {
						sent: false,
						replayed: true,
						reason: `A mail with this Message-ID was sent for this "Send Once Per" key before; not sent again`,
						messageId,
						from: sender.from.address,
						subject,
						...base,
						profileIsDefault: sender.isDefault,
						sentThrough: sender.kind,
					},
					pairedItem: { item: itemIndex },
				};
			}
		}
	}

	// #11.6: an answer to an incoming mail goes to one checked address, within the limit; what
	// the incoming mail gave wrong skips it (no error: the incoming mail is still processed)
	let answerTo: string | undefined;
	if (options.replyToIncoming === true) {
		const gate = await replyGate(ctx.getNodeParameter('to', itemIndex), options, context.store);
		if (!gate.ok) {
			return {
				json: {
					sent: false,
					replayed: false,
					skipped: gate.skipped,
					reason: gate.reason,
					...(gate.limit ? { limit: gate.limit } : {}),
					from: sender.from.address,
					subject,
					...base,
					profileIsDefault: sender.isDefault,
					sentThrough: sender.kind,
				},
				pairedItem: { item: itemIndex },
			};
		}
		answerTo = gate.recipient.address;
	}

	const headers: Record<string, string> = {};
	for (const { name, value } of options.headers?.header ?? []) if (name) headers[name] = value;
	const message = buildOutgoingMessage({
		from: sender.from,
		to: answerTo ?? (ctx.getNodeParameter('to', itemIndex) as string),
		cc: options.cc,
		bcc: options.bcc,
		replyTo: options.replyTo,
		subject,
		text: format !== 'html' ? (ctx.getNodeParameter('text', itemIndex, '') as string) : undefined,
		html: format !== 'text' ? (ctx.getNodeParameter('html', itemIndex, '') as string) : undefined,
		attachments: options.attachments ? await readAttachments(ctx, itemIndex, options.attachments) : [],
		headers,
		inReplyTo: options.inReplyTo || undefined,
		references: options.references || undefined,
		messageId,
	});
	const result = await sender.send(message);
	const sentId = result.messageId || message.messageId;
	// R-PLUS-4: a reply to this mail (In-Reply-To = this id) finds the case.
	if (store && recordOn) await recordSentOnCase(store.cases, recordOn, sentId);
	return {
		json: {
			sent: true,
			replayed: false,
			messageId: sentId,
			accepted: result.accepted,
			rejected: result.rejected,
			response: result.response,
			from: message.from.address,
			subject: message.subject,
			...base,
			profileIsDefault: sender.isDefault,
			sentThrough: sender.kind,
		},
		pairedItem: { item: itemIndex },
	};
}
