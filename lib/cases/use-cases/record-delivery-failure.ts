/**
 * #14.1: a bounce (delivery status notification) of a mail we sent goes into the history of the
 * case that mail belongs to — the trigger's second output ("Auto-Replies & Bounces") carries it
 * with `classification.bouncedMessageId` and the DSN's facts (`classification.bounce`).
 *
 *   - the bounce is stored once (its ledger key, like every mail) as an incoming mail with
 *     outcome delivery_failure and a line the user reads: "acknowledgement to x@y bounced:
 *     550 5.1.1 user unknown" (what our mail was for, read from our outgoing activity; `mail`
 *     when the history does not say); our outgoing activity of that Message-ID becomes bounced;
 *   - a replay (the same bounce again) records nothing twice;
 *   - nothing is recorded, and the result says why, for an item that is no bounce (an
 *     auto-reply, an abuse report), a delay warning (the server still tries), a bounce that names
 *     no Message-ID, or one that names a Message-ID we did not send on a case. None is an error:
 *     the trigger removes such mail like any other after the run.
 */
import { bareMessageId } from '../../mail/message-id';
import type { BounceInfo } from '../../mail/types';
import type { Store } from '../../store/open-store';
import type { Activity, Case, OutgoingPurpose } from '../../store/types';
import { mailActivityInput } from '../mail-activity';
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey } from '../mail-ledger-key';
import type { CaseMail } from './case-mail';

export interface RecordDeliveryFailureDeps {
	store: Pick<Store, 'ledger' | 'cases' | 'activities'> & {
		readonly maxAttachmentBytesPerMail: number;
	};
}

/** The trigger item's `classification` (only what is read here). */
export interface BounceClassification {
	class?: unknown;
	bouncedMessageId?: unknown;
	bounce?: unknown;
}

export interface RecordDeliveryFailureInput {
	/** The bounce mail (the trigger's item). */
	mail: CaseMail;
	classification?: BounceClassification | null;
}

export type NotRecordedReason =
	| 'not-a-bounce'
	| 'delay-warning'
	| 'no-message-id'
	| 'unknown-message-id';

export type RecordDeliveryFailureResult =
	| {
			kind: 'recorded' | 'replayed';
			case: Case;
			/** The bounce's activity on the case (incoming_mail, outcome delivery_failure). */
			activity: Activity | undefined;
			/** Our mail that bounced (outcome bounced), when the history has it. */
			outgoing: Activity | undefined;
			bouncedMessageId: string;
			/** What the history says, e.g. "acknowledgement to x@y bounced: 550 5.1.1 user unknown". */
			detail: string;
	  }
	| {
			kind: 'not-recorded';
			reason: NotRecordedReason;
			/** Why nothing was recorded, in words. */
			message: string;
			bouncedMessageId?: string;
	  };

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() ? value.trim() : undefined;

function bounceInfo(value: unknown): BounceInfo {
	if (!value || typeof value !== 'object') return {};
	const b = value as Record<string, unknown>;
	return {
		status: text(b.status),
		action: text(b.action),
		recipient: text(b.recipient),
		diagnostic: text(b.diagnostic),
		...(typeof b.permanent === 'boolean' ? { permanent: b.permanent } : {}),
	};
}

/** Our outgoing activity with this Message-ID (read before the write, for its purpose and recipients). */
async function ourMail(
	store: RecordDeliveryFailureDeps['store'],
	messageId: string,
): Promise<Activity | undefined> {
	const c = await store.cases.findCaseByMessageIds([messageId]);
	if (!c) return undefined;
	const bare = bareMessageId(messageId);
	const history = await store.activities.listForCase(c.id, { limit: 5000 });
	return history.find((a) => a.kind === 'outgoing_mail' && bareMessageId(a.messageId) === bare);
}

/** "acknowledgement to x@y bounced: 550 5.1.1 user unknown" */
export function deliveryFailureDetail(
	purpose: OutgoingPurpose,
	bounce: BounceInfo,
	recipients: readonly string[] = [],
): string {
	const to = bounce.recipient ?? (recipients.length ? recipients.join(', ') : 'its recipient');
	const { status, diagnostic } = bounce;
	const why = diagnostic
		? status && !diagnostic.includes(status)
			? `${status} ${diagnostic}`
			: diagnostic
		: status
			? `status ${status}`
			: 'the bounce gives no reason';
	return `${purpose} to ${to} bounced: ${why.replace(/\s+/g, ' ')}`;
}

export async function recordDeliveryFailure(
	{ store }: RecordDeliveryFailureDeps,
	input: RecordDeliveryFailureInput,
): Promise<RecordDeliveryFailureResult> {
	const { mail } = input;
	const classification = input.classification ?? {};
	const mailClass = text(classification.class) ?? 'unclassified';
	if (mailClass !== 'bounce')
		return {
			kind: 'not-recorded',
			reason: 'not-a-bounce',
			message: `Not a bounce (class ${mailClass}): nothing recorded. Only bounces of mail we sent are added to a case.`,
		};
	const bounce = bounceInfo(classification.bounce);
	const bounced = text(classification.bouncedMessageId);
	if (!bounced)
		return {
			kind: 'not-recorded',
			reason: 'no-message-id',
			message:
				'The bounce names no Message-ID of the mail that could not be delivered (it carries neither the original mail nor its headers): nothing recorded.',
		};
	if (bounce.action === 'delayed' || bounce.permanent === false)
		return {
			kind: 'not-recorded',
			reason: 'delay-warning',
			message: `A delay warning for ${bounced}${bounce.status ? ` (status ${bounce.status})` : ''}: the server is still trying to deliver it, nothing recorded. A bounce follows if it gives up.`,
			bouncedMessageId: bounced,
		};

	const ours = await ourMail(store, bounced);
	const detail = deliveryFailureDetail(ours?.purpose ?? 'mail', bounce, ours?.to);
	const built = mailActivityInput(mail, {
		// the returned original may be large: the bounce is kept, its attachments then without content
		oversized: 'metadata',
		maxAttachmentBytes: store.maxAttachmentBytesPerMail,
	});
	const result = await store.ledger.recordDeliveryFailure({
		messageKey: mailLedgerKey(mail),
		contentDigest: contentDigestOf(mail),
		bouncedMessageId: bounced,
		mail: built.mail,
		detail,
	});
	if (!result.case)
		return {
			kind: 'not-recorded',
			reason: 'unknown-message-id',
			message: `The bounce is about ${bounced}, which is no mail we sent on a case: nothing recorded.`,
			bouncedMessageId: bounced,
		};
	return {
		kind: result.replayed ? 'replayed' : 'recorded',
		case: result.case,
		activity: result.activity,
		outgoing: result.outgoing,
		bouncedMessageId: bounced,
		detail: result.activity?.outcomeDetail ?? detail,
	};
}
