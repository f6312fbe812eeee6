/**
 * R-PROC-6a: forwards a mail (typically one that matched no case) to configured addresses — the
 * original as a message/rfc822 attachment or inline with its attachments — with a `Fwd:`
 * subject, Resent-* fields and (by default) our loop header. A forward to an address of this
 * system is refused (it would come straight back in); with Forward Once the same mail is not
 * forwarded to the same addresses twice (a ledger entry, through sendOnce).
 */
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey, type MailKeySource } from '../mail-ledger-key';
import { MailCasesError } from '../../errors';
import {
	composeForward,
	forwardLedgerKey,
	forwardLoopConflicts,
	mailboxAddresses,
	resentHeaders,
	type ForwardLanguage,
	type ForwardMode,
	type ForwardSource,
} from '../../mail/compose-forward';
import { loopHeaders } from '../../mail/loop-header';
import { onceMessageId } from '../../mail/once-message-id';
import { buildOutgoingMessage, newMessageId, parseRecipients } from '../../mail/outgoing-message';
import type { MailSender, SentMail } from '../../protocols/mail-sender';
import type { Store } from '../../store';
import { recordedInLedger, sendOnce } from './send-once';

export interface ForwardMailDeps {
	sender: Pick<MailSender, 'from' | 'send'>;
	/** The case store, opened on first call (only Forward Once needs it). */
	store: () => Promise<Pick<Store, 'ledger' | 'sendClaims'>>;
	systemId: string;
	now: () => Date;
}

export type ForwardableMail = ForwardSource & MailKeySource & { contentDigest?: string | null };

export interface ForwardMailInput {
	/** "Forward To" as entered: one or more addresses. */
	forwardTo: string;
	mode: ForwardMode;
	/** Read once the targets are accepted (inline mode needs the attachments' bytes). */
	mail: () => Promise<ForwardableMail>;
	/** Where the mail was received: the trigger's mailbox description, Delivered-To / X-Original-To. */
	received?: { mailbox?: string; deliveredTo?: string[] };
	/** Further addresses of this system ("Own Addresses"). */
	ownAddresses?: string;
	/** Default true. */
	forwardOnce?: boolean;
	/** Default true. */
	addLoopHeader?: boolean;
	language?: ForwardLanguage;
	note?: string;
	subjectPrefix?: string;
}

export type ForwardMailResult =
	| ({ kind: 'forwarded'; to: string[]; messageId: string; subject: string; from: string } & Pick<
			SentMail,
			'accepted' | 'rejected'
	  >)
	| { kind: 'alreadySent'; to: string[]; forwardedAt?: Date; reason: string };

/** The addresses a forward must not go to: where the mail came in, our From, Own Addresses. */
export function ownAddressesOf(input: ForwardMailInput, fromAddress: string): string[] {
	return [
		...mailboxAddresses(input.received?.mailbox ?? ''),
		...(input.received?.deliveredTo ?? []).flatMap((v) => mailboxAddresses(v)),
		fromAddress,
		...parseRecipients('Own Addresses', input.ownAddresses).map((a) => a.address),
	];
}

export async function forwardMail(
	deps: ForwardMailDeps,
	input: ForwardMailInput,
): Promise<ForwardMailResult> {
	const { sender, systemId } = deps;
	const targets = parseRecipients('Forward To', input.forwardTo).map((a) => a.address);
	if (targets.length === 0)
		throw new MailCasesError('INVALID_INPUT', 'No forwarding address: enter one in "Forward To"');
	const conflicts = forwardLoopConflicts(targets, ownAddressesOf(input, sender.from.address));
	if (conflicts.length > 0)
		throw new MailCasesError(
			'LOOP_DETECTED',
			`Refusing to forward to ${conflicts.join(', ')}: that is the mailbox the mail was read from or another address of this system. The forward would come straight back in (and be skipped as our own mail, or forwarded again and again). Choose another forwarding address.`,
		);

	const mail = await input.mail();
	const mailKey = input.forwardOnce !== false ? mailLedgerKey(mail) : undefined;
	const store = mailKey ? await deps.store() : undefined;
	const ledgerKey = mailKey ? forwardLedgerKey(mailKey, targets) : undefined;
	const digest = contentDigestOf(mail);
	const record =
		ledgerKey && store
			? recordedInLedger(
					store.ledger,
					store.sendClaims,
					ledgerKey,
					`${mailKey} forwarded to ${targets.join(', ')}`,
					digest,
				)
			: undefined;
	const prepare = async () => {
		const composed = composeForward(mail, {
			mode: input.mode,
			note: input.note,
			subjectPrefix: input.subjectPrefix,
			language: input.language,
		});
		// #15.2: with Forward Once the id is derived from the mail and the targets, so a replay
		// after a crash between the server's accept and the record sends the same Message-ID
		const messageId = ledgerKey
			? onceMessageId({
					systemId,
					scope: 'forward',
					caseId: '-',
					key: digest ? `${ledgerKey} content:${digest}` : ledgerKey,
					fromAddress: sender.from.address,
				})
			: newMessageId(sender.from.address);
		return buildOutgoingMessage({
			from: sender.from,
			to: targets,
			subject: composed.subject,
			text: composed.text,
			html: composed.html,
			attachments: composed.attachments,
			headers: {
				...(input.addLoopHeader === false ? {} : loopHeaders(systemId)),
				...resentHeaders({ from: sender.from.address, to: targets, messageId, date: deps.now() }),
			},
			references: composed.references,
			messageId,
		});
	};
	// #14.2: a forward has no case to record a rejection on: a permanent rejection fails the run
	// (the mail is tried again and quarantined in the end, never disposed of unforwarded)
	const result = await sendOnce(
		{ sender, ...(store ? { claims: store.sendClaims } : {}) },
		{ record, prepare, what: 'The forward', onPermanentRejection: 'fail' },
	);
	if (result.kind !== 'sent')
		return {
			kind: 'alreadySent',
			to: targets,
			reason: 'This mail was forwarded to these addresses before (the same mail processed again)',
			...(result.kind === 'alreadySent' && result.at ? { forwardedAt: result.at } : {}),
		};
	return {
		kind: 'forwarded',
		to: targets,
		messageId: result.messageId,
		subject: result.message.subject,
		accepted: result.sent.accepted,
		rejected: result.sent.rejected,
		from: result.message.from.address,
	};
}
