/**
 * Send Mail's flow (R-OUT, R-PLUS-2, R-PLUS-4, #11.6, #11.7): one mail through the sender.
 * With "Record on Case" (`caseNumber`) the mail carries the case's signed reference in its
 * subject and its Message-ID is recorded on the case, so replies find the case; with "Send Once
 * Per" (`sendOnceKey`) as well, the Message-ID is deterministic and a mail whose id is recorded
 * already is not sent again. With "Reply to Incoming Mail" the answer goes to one checked
 * address within the limit per recipient, or is skipped.
 */
import { withCaseReference } from '../case-number';
import { MailCasesError } from '../../errors';
import { onceMessageId } from '../../mail/once-message-id';
import {
	buildOutgoingMessage,
	type OutgoingAttachment,
	type OutgoingMessage,
} from '../../mail/outgoing-message';
import type { ReplySkipReason } from '../../mail/reply-recipient';
import type { MailSender, SentMail } from '../../protocols/mail-sender';
import type { Store } from '../../store';
import { checkReplyOptions, replyGate, type ReplyLimit, type ReplyOptions } from './reply-gate';
import {
	recordedOnCase,
	sendOnce,
	type OnPermanentRejection,
	type PermanentFailure,
} from './send-once';

export type SendStore = Pick<
	Store,
	'cases' | 'activities' | 'sendClaims' | 'sendLimits' | 'description' | 'caseReferenceKey'
>;

export interface SendOnCaseDeps {
	sender: Pick<MailSender, 'from' | 'send'>;
	/** The case store, opened on first call (Send Mail without case options opens none). */
	store: () => Promise<SendStore>;
	/** The n8n instance id, part of the Send Once Per Message-ID. */
	systemId: string;
}

/** A present `cc`, `bcc`, `limit…` counts even when empty (see checkReplyOptions). */
export interface SendOnCaseInput extends ReplyOptions {
	to: unknown;
	subject: string;
	text?: string;
	html?: string;
	replyTo?: string;
	headers?: Record<string, string>;
	inReplyTo?: string;
	references?: string;
	messageId?: string;
	/** "Record on Case": undefined = not set, '' = set but empty (an error). */
	caseNumber?: string;
	/**
	 * "Send Once Per": undefined = not set, '' = set but empty: then `incomingMessageKey`, and an
	 * error without one.
	 */
	sendOnceKey?: string;
	/** #13.1: the input item's `messageKey` (the trigger's key of the incoming mail), if any. */
	incomingMessageKey?: string;
	/** Read only when the mail goes out (a replay or a skipped answer reads nothing). */
	attachments?: () => Promise<OutgoingAttachment[]>;
	/**
	 * #14.2: what a permanent rejection (SMTP 5xx for the recipient or message, Graph 4xx for the
	 * address) does: recorded on the case (with Record on Case) and then the result `rejected`
	 * (`recordAndContinue`) or an error (`fail`, the default).
	 */
	onPermanentRejection?: OnPermanentRejection;
}

interface Outcome {
	from: string;
	subject: string;
	/** The case the mail is recorded on. */
	case?: { id: number; number: string };
}

export type SendOnCaseResult =
	| ({ kind: 'sent'; messageId: string } & Pick<SentMail, 'accepted' | 'rejected' | 'response'> &
			Outcome)
	| ({ kind: 'alreadySent'; reason: string; messageId: string } & Outcome)
	| ({
			kind: 'rejected';
			messageId: string;
			/** Who refused it and their reply. */
			rejectedBy: string;
			reply: string;
			/** The refused recipients (all of them when the server refused the message). */
			rejected: string[];
			reason: string;
	  } & Outcome)
	| ({
			kind: 'skipped';
			skipped: ReplySkipReason | 'rate-limited';
			reason: string;
			limit?: ReplyLimit;
	  } & Outcome);

function checkInput(input: SendOnCaseInput): void {
	const { caseNumber, sendOnceKey } = input;
	if (sendOnceKey !== undefined && caseNumber === undefined)
		throw new MailCasesError(
			'INVALID_INPUT',
			'"Send Once Per" needs "Record on Case": set the number of the case the mail belongs to',
		);
	if (sendOnceKey !== undefined && String(input.messageId ?? '').trim())
		throw new MailCasesError(
			'INVALID_INPUT',
			'"Message-ID" and "Send Once Per" cannot be used together: Send Once Per sets the Message-ID itself',
		);
	if (caseNumber === '')
		throw new MailCasesError(
			'INVALID_INPUT',
			'"Record on Case" is empty: no case number to record the mail on',
		);
	if (sendOnceKey === '' && !input.incomingMessageKey?.trim())
		throw new MailCasesError(
			'INVALID_INPUT',
			`"Send Once Per" is empty, and the input item has no messageKey to use instead: the incoming mail probably had no Message-ID, and the item does not carry the Mail Cases Trigger's fields. Nothing was sent${caseNumber ? ` for case ${caseNumber}; the case itself exists already (opened or found before this node) and stays as it is` : ''}. Set "Send Once Per" to {{ $json.messageKey }} and keep the trigger's fields in the item (messageKey is the mail's Message-ID, or sha256:<hex> of the raw mail when it has none).`,
		);
	checkReplyOptions(input);
}

/** #13.1: "Send Once Per", or the incoming mail's key when it is empty. */
function onceKeyOf(input: SendOnCaseInput): string | undefined {
	if (input.sendOnceKey === undefined) return undefined;
	return input.sendOnceKey || input.incomingMessageKey!.trim();
}

/** #14.2: the item of a permanently rejected mail (recorded on its case when it has one). */
function rejectedResult(
	message: OutgoingMessage,
	failure: PermanentFailure,
	outcome: Outcome,
	recorded: boolean,
): SendOnCaseResult {
	const rejected = failure.recipients.length
		? failure.recipients
		: [...message.to, ...message.cc, ...message.bcc].map((a) => a.address);
	return {
		kind: 'rejected',
		messageId: message.messageId,
		rejectedBy: failure.by,
		reply: failure.reply,
		rejected,
		reason: `Rejected permanently by ${failure.by}: ${failure.reply}${recorded && outcome.case ? `. Recorded on case ${outcome.case.number}; not sent again for this key.` : ''}`,
		...outcome,
		from: message.from.address,
		subject: message.subject,
	};
}

export async function sendOnCase(
	deps: SendOnCaseDeps,
	input: SendOnCaseInput,
): Promise<SendOnCaseResult> {
	checkInput(input);
	const onceKey = onceKeyOf(input);
	const { sender } = deps;
	let subject = input.subject;
	let messageId = input.messageId || undefined;
	let theCase: { id: number; number: string } | undefined;
	let store: SendStore | undefined;
	if (input.caseNumber !== undefined) {
		store = await deps.store();
		theCase = await store.cases.getByNumber(input.caseNumber);
		if (!theCase)
			throw new MailCasesError(
				'NOT_FOUND',
				`Record on Case: case ${input.caseNumber} does not exist in ${store.description}; nothing was sent`,
			);
		// issue #11.7: a mail sent for a case carries its signed reference (added, or an unsigned
		// [#number] made signed), so that a reply from anyone who got it matches the case
		subject = withCaseReference(subject, theCase.number, await store.caseReferenceKey());
		if (onceKey !== undefined)
			messageId = onceMessageId({
				systemId: deps.systemId,
				scope: 'send',
				caseId: theCase.id,
				key: onceKey,
				fromAddress: sender.from.address,
			});
	}
	const outcome: Outcome = {
		from: sender.from.address,
		subject,
		...(theCase ? { case: { id: theCase.id, number: theCase.number } } : {}),
	};
	const record =
		store && theCase
			? recordedOnCase({
					cases: store.cases,
					activities: store.activities,
					theCase,
					// #14.1: an answer to an incoming mail is its acknowledgement
					purpose: input.replyToIncoming === true ? 'acknowledgement' : 'mail',
					onceId: onceKey !== undefined ? messageId : undefined,
				})
			: undefined;
	const result = await sendOnce(
		{ sender, ...(store ? { claims: store.sendClaims } : {}) },
		{
			record,
			what: input.replyToIncoming === true ? 'The answer' : 'The mail',
			onPermanentRejection: input.onPermanentRejection,
			prepare: async () => {
				let to = input.to;
				if (input.replyToIncoming === true) {
					const gate = await replyGate(input.to, input, deps.store);
					if (!gate.ok) return { skip: gate };
					to = gate.recipient.address;
				}
				return buildOutgoingMessage({
					from: sender.from,
					to: to as string,
					cc: input.cc,
					bcc: input.bcc,
					replyTo: input.replyTo,
					subject,
					text: input.text,
					html: input.html,
					attachments: input.attachments ? await input.attachments() : [],
					headers: input.headers ?? {},
					inReplyTo: input.inReplyTo || undefined,
					references: input.references || undefined,
					messageId,
				});
			},
		},
	);
	if (result.kind === 'alreadySent')
		return {
			kind: 'alreadySent',
			reason:
				'A mail with this Message-ID was sent (or permanently rejected) for this "Send Once Per" key before; not sent again',
			messageId: messageId ?? result.messageId!,
			...outcome,
		};
	if (result.kind === 'rejected')
		return rejectedResult(result.message, result.failure, outcome, theCase !== undefined);
	if (result.kind === 'skipped') {
		const { skipped, reason, limit } = result.skip;
		return { kind: 'skipped', skipped, reason, ...(limit ? { limit } : {}), ...outcome };
	}
	const { accepted, rejected, response } = result.sent;
	return {
		kind: 'sent',
		messageId: result.messageId,
		accepted,
		rejected,
		response,
		...outcome,
		from: result.message.from.address,
		subject: result.message.subject,
	};
}
