/**
 * R-PROC-3: tells the members of a case's responsible org unit / role (and Additional
 * Recipients) that a mail arrived for the case. The notification carries the signed case
 * reference, our loop header and Auto-Submitted (R-PLUS-3), threads with the incoming mail, and
 * its Message-ID is recorded on the case (R-PLUS-4). Its Message-ID is derived from the mail, so
 * the same mail processed again notifies no second time (R-PLUS-2, through sendOnce).
 */
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey, type MailKeySource } from '../mail-ledger-key';
import { MailCasesError } from '../../errors';
import {
	composeNotification,
	notificationMessageId,
	type NotificationLanguage,
	type NotificationMail,
} from '../compose-notification';
import { autoHeaders } from '../../mail/loop-header';
import { buildOutgoingMessage, parseRecipients } from '../../mail/outgoing-message';
import type { MailSender, SentMail } from '../../protocols/mail-sender';
import type { Case, OrgUnit, Store } from '../../store';
import { recordedOnCase, sendOnce, type OnPermanentRejection } from './send-once';

export interface NotifyResponsibleDeps {
	/** With `ledger`, a mail that reused another mail's Message-ID is notified on its own (#13.2). */
	store: Pick<Store, 'cases' | 'orgUnits' | 'caseReferenceKey' | 'activities' | 'sendClaims'> &
		Partial<Pick<Store, 'ledger'>>;
	sender: Pick<MailSender, 'from' | 'send'>;
	/** The n8n instance id: part of the notification's Message-ID and of the loop header. */
	systemId: string;
}

export interface NotifyResponsibleInput {
	mail: NotificationMail & MailKeySource & { contentDigest?: string | null };
	caseNumber: string;
	additionalRecipients?: string;
	excerptLength?: number;
	language?: NotificationLanguage;
	/** Also notify the mail's sender when it is among the recipients. */
	includeSender?: boolean;
	replyTo?: string;
	subject?: string;
	/**
	 * #14.2: a permanent rejection is recorded on the case, then the result `rejected`
	 * (`recordAndContinue`) or an error (`fail`, the default).
	 */
	onPermanentRejection?: OnPermanentRejection;
}

interface Outcome {
	case: Case;
	orgUnit: OrgUnit;
	recipients: string[];
}

export type NotifyResponsibleResult =
	| (Outcome & { kind: 'notified'; messageId: string; subject: string; from: string } & Pick<
				SentMail,
				'accepted' | 'rejected'
			>)
	| (Outcome & { kind: 'alreadySent'; messageId?: string; reason: string })
	| (Outcome & {
			kind: 'rejected';
			messageId: string;
			subject: string;
			from: string;
			rejectedBy: string;
			reply: string;
			rejected: string[];
			reason: string;
	  })
	| (Outcome & { kind: 'skipped'; reason: string });

const lower = (a: string) => a.trim().toLowerCase();

/** The unit's members and the extra addresses, each once, without the mail's sender unless asked. */
function recipientsOf(unit: OrgUnit, extra: string[], input: NotifyResponsibleInput): string[] {
	const senderAddress = input.mail.from?.address ? lower(input.mail.from.address) : '';
	const seen = new Set<string>();
	const recipients: string[] = [];
	for (const address of [...unit.members, ...extra]) {
		const key = lower(address);
		if (seen.has(key)) continue;
		seen.add(key);
		if (!input.includeSender && key === senderAddress) continue;
		recipients.push(address.trim());
	}
	return recipients;
}

export async function notifyResponsible(
	deps: NotifyResponsibleDeps,
	input: NotifyResponsibleInput,
): Promise<NotifyResponsibleResult> {
	const { store, sender, systemId } = deps;
	const caseNumber = input.caseNumber.trim();
	if (!caseNumber)
		throw new MailCasesError(
			'INVALID_INPUT',
			'No case number: set "Case Number" (the item has no case.number)',
		);
	const theCase = await store.cases.requireByNumber(caseNumber);
	const unit = await store.orgUnits.get(theCase.responsibleOrgUnitId);
	if (!unit)
		throw new MailCasesError(
			'NOT_FOUND',
			`Case ${caseNumber}: its responsible org unit ${theCase.responsibleOrgUnitId} does not exist`,
		);
	const extra = parseRecipients('Additional Recipients', input.additionalRecipients).map(
		(a) => a.address,
	);
	const recipients = recipientsOf(unit, extra, input);
	const outcome: Outcome = { case: theCase, orgUnit: unit, recipients };
	if (recipients.length === 0) {
		if (unit.members.length === 0 && extra.length === 0)
			throw new MailCasesError(
				'INVALID_INPUT',
				`Case ${caseNumber}: ${unit.kind === 'role' ? 'role' : 'org unit'} "${unit.name}" has no members with an e-mail address, so nobody can be notified. Add members or Additional Recipients.`,
			);
		return {
			kind: 'skipped',
			...outcome,
			reason: 'The sender of the mail is the only one to notify',
			recipients,
		};
	}

	let mailKey: string | undefined;
	try {
		mailKey = mailLedgerKey(input.mail);
	} catch {
		mailKey = undefined; // no way to recognise the mail again: notify without the once-only check
	}
	const digest = contentDigestOf(input.mail);
	if (mailKey && digest && store.ledger) mailKey = (await store.ledger.keyOf(mailKey, digest)).key;
	const messageId = mailKey
		? notificationMessageId({
				systemId,
				mailKey,
				caseId: theCase.id,
				fromAddress: sender.from.address,
			})
		: undefined;
	const result = await sendOnce(
		{ sender, claims: store.sendClaims },
		{
			record: recordedOnCase({
				cases: store.cases,
				activities: store.activities,
				theCase,
				purpose: 'notification',
				onceId: messageId,
			}),
			what: 'The notification',
			onPermanentRejection: input.onPermanentRejection,
			prepare: async () => {
				const composed = composeNotification({
					caseNumber: theCase.number,
					caseTitle: theCase.title,
					responsibleName: unit.name,
					mail: input.mail,
					language: input.language,
					excerptLength: input.excerptLength,
					subject: input.subject,
					referenceKey: await store.caseReferenceKey(),
				});
				return buildOutgoingMessage({
					from: sender.from,
					to: recipients,
					replyTo: input.replyTo || undefined,
					subject: composed.subject,
					text: composed.text,
					html: composed.html,
					headers: autoHeaders(systemId),
					inReplyTo: composed.inReplyTo,
					references: composed.references,
					messageId,
				});
			},
		},
	);
	if (result.kind === 'rejected') {
		const { failure, message } = result;
		return {
			kind: 'rejected',
			...outcome,
			recipients,
			messageId: message.messageId,
			subject: message.subject,
			from: message.from.address,
			rejectedBy: failure.by,
			reply: failure.reply,
			rejected: failure.recipients.length ? failure.recipients : recipients,
			reason: `Rejected permanently by ${failure.by}: ${failure.reply}. Recorded on case ${theCase.number}${messageId ? '; not sent again for this mail' : ''}.`,
		};
	}
	if (result.kind !== 'sent')
		return {
			kind: 'alreadySent',
			...outcome,
			reason:
				'This mail was notified for this case before (the same mail processed again); not sent again',
			messageId: messageId ?? (result.kind === 'alreadySent' ? result.messageId : undefined),
			recipients,
		};
	return {
		kind: 'notified',
		...outcome,
		messageId: result.messageId,
		subject: result.message.subject,
		recipients,
		accepted: result.sent.accepted,
		rejected: result.sent.rejected,
		from: result.message.from.address,
	};
}
