/**
 * R-PLUS-2 / R-PLUS-4, #14.1, #14.2, #15.2: the one send protocol of every node that sends (Send
 * Mail, Notify Responsible, Forward).
 *
 * 1. **Earlier record**: a mail that must go out once is looked up where it was recorded before
 *    (its deterministic Message-ID among the case's outgoing ids, or the ledger entry of a
 *    Forward), so stores written before send claims existed keep working.
 * 2. **Claim** (#15.2): its key is claimed in the store in one statement. `done` → already sent.
 *    `held` → another run is sending it right now, or crashed while it did: this run **waits**,
 *    asking again every few hundred milliseconds, until that run is done (→ already sent) or its
 *    lease ran out (→ this run takes the claim over and sends, with the same Message-ID). It does
 *    not simply skip a held claim: when the run that held it crashed before the mail went out, a
 *    replay that skipped would report "already sent" and the trigger would dispose of the
 *    customer's mail although no acknowledgement ever left — a lost mail. Waiting is bounded by
 *    the lease (plus a margin); a claim still held after that fails the run (temporary: retried).
 *    After taking a claim the earlier record is read once more (a Forward records its ledger
 *    entry and finishes its claim in two steps; a crash between them must not send twice).
 * 3. **Prepare** (only now: a replay counts no rate limit, reads no attachments) and **send**.
 * 4. **Sent** (partial acceptance included: the refused recipients go into the record's detail)
 *    → recorded (an outgoing_mail activity whose transaction marks the claim done, or ledger +
 *    finish). A crash between the server's accept and the record leaves the claim `sending`:
 *    after the lease a replay sends once more with the same Message-ID (at most one repeat).
 * 5. **Permanent rejection** (lib/protocols/send-failure.ts) → recorded as `rejected` with the
 *    server's reply, the claim done; then either the result `rejected` (On Permanent Rejection:
 *    Record and Continue) or an error that says who refused, where it is recorded and what to
 *    change (Fail). Where the rejection cannot be recorded (Forward: no case), the claim is
 *    released and the error thrown, so the incoming mail is not disposed of unforwarded.
 * 6. **Temporary failure** (4xx, connection, timeout, throttling) → recorded as `failed` where
 *    possible (best effort), the claim released, the error rethrown: the run fails and the
 *    trigger tries the mail again.
 *
 * The lease (SEND_CLAIM_LEASE_MS, 2 minutes) covers a slow send: an SMTP transaction with the
 * profile's default timeouts (20 s to connect and greet, 60 s of socket silence) or a Graph upload
 * of a large mail. A live run finishes well within it; only a crashed one makes others wait.
 */
import { isMailCasesError, MailCasesError } from '../../errors';
import type { OutgoingMessage } from '../../mail/outgoing-message';
import type { MailSender, SentMail } from '../../protocols/mail-sender';
import { classifySendFailure, type SendFailure } from '../../protocols/send-failure';
import type {
	ActivityRepository,
	LedgerRepository,
	OutgoingPurpose,
	SendClaim,
	SendClaimRepository,
} from '../../store';

/** How long a claim protects a send in progress (see the file comment). */
export const SEND_CLAIM_LEASE_MS = 120_000;
/** After the lease ran out, how much longer a waiting run asks (clocks of store and n8n differ). */
export const SEND_CLAIM_GRACE_MS = 10_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

export type OnPermanentRejection = 'recordAndContinue' | 'fail';

export type PermanentFailure = Extract<SendFailure, { permanent: true }>;

export type SendClaims = Pick<SendClaimRepository, 'claim' | 'finish' | 'release'>;

/** Where a send is recorded and where an earlier one is found. */
export interface SendRecord {
	/** #15.2: the claim key of a mail that must go out once; undefined: no claim (every call sends). */
	claimKey?: string;
	/** Where the mail is recorded, for messages: "case 2026-000123". */
	where?: string;
	/** The earlier send of this mail (with its time when known), or undefined. */
	earlier(): Promise<{ at?: Date } | undefined>;
	/** Records the sent mail and marks the claim done; a failure says that the mail did go out. */
	sent(message: OutgoingMessage, sent: SentMail, messageId: string): Promise<void>;
	/**
	 * Records a permanent rejection and marks the claim done. Absent: a rejection cannot be
	 * recorded here, so the claim is released and the rejection is an error.
	 */
	rejected?(message: OutgoingMessage, failure: PermanentFailure): Promise<void>;
	/** Records a temporary failure (best effort; the claim is released by sendOnce). */
	failed?(message: OutgoingMessage, error: unknown): Promise<void>;
}

export interface SendOnceDeps {
	sender: Pick<MailSender, 'send'>;
	/** The store's send claims; needed when the record has a claim key. */
	claims?: SendClaims;
	/** For tests: time and waiting. */
	clock?: { now(): number; sleep(ms: number): Promise<void> };
	leaseMs?: number;
}

export interface SendOnceInput<Skip> {
	record?: SendRecord;
	/** Builds the mail once it is to go out; may skip it instead. */
	prepare: () => Promise<OutgoingMessage | { skip: Skip }>;
	/** #14.2: default `fail`. */
	onPermanentRejection?: OnPermanentRejection;
	/** What the mail is, for messages: "The acknowledgement", "The notification". */
	what?: string;
}

export type SendOnceResult<Skip> =
	| { kind: 'sent'; message: OutgoingMessage; messageId: string; sent: SentMail }
	| { kind: 'alreadySent'; at?: Date; messageId?: string }
	| { kind: 'skipped'; skip: Skip }
	| { kind: 'rejected'; message: OutgoingMessage; messageId: string; failure: PermanentFailure };

const realClock = {
	now: () => Date.now(),
	sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** A Message-ID as the mail carries it (the store may keep it without its angle brackets). */
const bracketed = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Takes the claim on `key`: `claimed`, or `done` (sent before). A held claim is waited for (see
 * the file comment); one still held after its lease and the grace fails with a temporary error.
 */
async function takeClaim(
	claims: SendClaims,
	key: string,
	deps: SendOnceDeps,
	what: string,
): Promise<Exclude<SendClaim, { state: 'held' }>> {
	const clock = deps.clock ?? realClock;
	const lease = deps.leaseMs ?? SEND_CLAIM_LEASE_MS;
	const deadline = clock.now() + lease + SEND_CLAIM_GRACE_MS;
	let pause = FIRST_POLL_MS;
	for (;;) {
		const claim = await claims.claim(key, lease);
		if (claim.state !== 'held') return claim;
		const now = clock.now();
		if (now >= deadline)
			throw new MailCasesError(
				'CONFLICT',
				`${what} is being sent by another run, which still holds its send claim (until ${claim.until.toISOString()}); this run waited ${Math.round((lease + SEND_CLAIM_GRACE_MS) / 1000)} s and fails without sending, so the mail is tried again later. If no other run is active, the store's clock may be wrong.`,
			);
		// wake up soon after the other run's lease ends, never later than the next poll
		const untilLease = claim.until.getTime() - now;
		await clock.sleep(Math.max(10, Math.min(pause, untilLease > 0 ? untilLease + 10 : pause)));
		pause = Math.min(pause * 2, MAX_POLL_MS);
	}
}

function describeMail(message: OutgoingMessage): string {
	const to = message.to.map((a) => a.address).join(', ');
	return `to ${to || '(nobody)'} (subject "${message.subject}", Message-ID ${message.messageId})`;
}

function rejectionError(
	error: unknown,
	message: OutgoingMessage,
	failure: PermanentFailure,
	what: string,
	record: SendRecord | undefined,
	recorded: boolean,
): MailCasesError {
	const refused =
		failure.refused === 'message'
			? 'the message'
			: `the recipient${failure.recipients.length > 1 ? 's' : ''}`;
	const where =
		recorded && record?.where
			? ` It is recorded as rejected on ${record.where}${record.claimKey ? ' and is not sent again for this mail' : ''}.`
			: '';
	const change =
		failure.refused === 'message'
			? 'Change the mail (size, content) so the server accepts it'
			: 'Correct the address (or where it comes from)';
	const policy = recorded
		? ', or set "On Permanent Rejection" to "Record and Continue" so that a rejected mail is recorded without failing the run'
		: '';
	return new MailCasesError(
		isMailCasesError(error) ? error.code : 'RECIPIENT_REJECTED',
		`${what} ${describeMail(message)} was rejected permanently by ${failure.by}, which refused ${refused}: ${failure.reply}.${where} ${change}${policy}.`,
		{
			cause: error,
			details: {
				...(isMailCasesError(error) ? error.details : {}),
				permanent: true,
				rejectedBy: failure.by,
			},
		},
	);
}

/**
 * Sends the mail `prepare` builds unless `record` finds an earlier send or its claim is done;
 * records what became of it (see the file comment).
 */
export async function sendOnce<Skip = never>(
	deps: SendOnceDeps,
	input: SendOnceInput<Skip>,
): Promise<SendOnceResult<Skip>> {
	const { record } = input;
	const what = input.what ?? 'The mail';
	const earlier = record ? await record.earlier() : undefined;
	if (earlier) return { kind: 'alreadySent', ...(earlier.at ? { at: earlier.at } : {}) };

	const key = record?.claimKey;
	const claims = key ? deps.claims : undefined;
	if (key && !claims)
		throw new MailCasesError('INTERNAL', `sendOnce: no send claims for the claim key ${key}`);
	if (key && claims) {
		const claim = await takeClaim(claims, key, deps, what);
		if (claim.state === 'done')
			return {
				kind: 'alreadySent',
				at: claim.at,
				...(claim.messageId ? { messageId: bracketed(claim.messageId) } : {}),
			};
		const before = await record!.earlier().catch(async (error: unknown) => {
			await claims.release(key).catch(() => undefined);
			throw error;
		});
		if (before) {
			await claims.finish(key, null);
			return { kind: 'alreadySent', ...(before.at ? { at: before.at } : {}) };
		}
	}
	const release = async () => {
		if (key && claims) await claims.release(key).catch(() => undefined);
	};

	let prepared: OutgoingMessage | { skip: Skip };
	try {
		prepared = await input.prepare();
	} catch (error) {
		await release();
		throw error;
	}
	if ('skip' in prepared) {
		await release();
		return { kind: 'skipped', skip: prepared.skip };
	}
	const message = prepared;

	let sent: SentMail;
	try {
		sent = await deps.sender.send(message);
	} catch (error) {
		const failure = classifySendFailure(error);
		if (!failure.permanent) {
			await record?.failed?.(message, error).catch(() => undefined); // best effort
			await release();
			throw error;
		}
		if (!record) {
			// nowhere to record it (Send Mail without a case): the item carries the rejection
			if (input.onPermanentRejection === 'recordAndContinue')
				return { kind: 'rejected', message, messageId: message.messageId, failure };
			throw rejectionError(error, message, failure, what, record, false);
		}
		if (!record.rejected) {
			// a record that cannot hold a rejection (Forward): tried again, never disposed of silently
			await release();
			throw rejectionError(error, message, failure, what, record, false);
		}
		try {
			await record.rejected(message, failure);
		} catch (recordError) {
			await release();
			throw new MailCasesError(
				isMailCasesError(recordError) ? recordError.code : 'INTERNAL',
				`${what} ${describeMail(message)} was rejected permanently by ${failure.by} (${failure.reply}), and recording the rejection${record.where ? ` on ${record.where}` : ''} failed: ${reasonOf(recordError)}. The run fails so the mail is tried again.`,
				{ cause: recordError },
			);
		}
		if (input.onPermanentRejection === 'recordAndContinue')
			return { kind: 'rejected', message, messageId: message.messageId, failure };
		throw rejectionError(error, message, failure, what, record, true);
	}
	const messageId = sent.messageId || message.messageId;
	// a failure to record says the mail went out; the claim stays held, so a replay after its
	// lease sends once more with the same Message-ID (there is no way to tell "sent" apart here)
	if (record) await record.sent(message, sent, messageId);
	return { kind: 'sent', message, messageId, sent };
}

// --- records -------------------------------------------------------------------------------

type OutgoingIds = { isOutgoingMessageId(messageId: string): Promise<boolean> };

/** #14.1: what went into the history of a case for one mail. */
export interface CaseSendRecordInput {
	cases: OutgoingIds;
	activities: Pick<ActivityRepository, 'recordOutgoing'>;
	theCase: { id: number; number: string };
	purpose: OutgoingPurpose;
	/** A deterministic Message-ID: the mail goes out once (claim key `mid:<id>`). */
	onceId?: string;
	/** The mail's text for the history (the message's own text when not given). */
	text?: string | null;
}

const addresses = (list: ReadonlyArray<{ address: string }>) => list.map((a) => a.address);

/** The refused recipients of a mail the server accepted for others, in words (#14.2). */
export function partialDetail(sent: Pick<SentMail, 'rejected' | 'accepted'>): string | null {
	if (sent.rejected.length === 0) return null;
	return `The server accepted the mail for ${sent.accepted.join(', ') || 'nobody'} and refused ${sent.rejected.join(', ')}`;
}

/**
 * The record of a mail sent on a case: an outgoing_mail activity with its purpose, recipients,
 * subject, Message-ID and outcome (#14.1). For sent and rejected mails the Message-ID is linked to
 * the case (replies find it) and the claim is marked done in the same transaction; with a
 * deterministic `onceId` a mail recorded before is not sent again.
 */
export function recordedOnCase(input: CaseSendRecordInput): SendRecord {
	const { theCase, onceId } = input;
	const claimKey = onceId ? `mid:${onceId}` : undefined;
	const base = (message: OutgoingMessage) => ({
		caseId: theCase.id,
		purpose: input.purpose,
		messageId: message.messageId,
		from: message.from.address,
		to: addresses(message.to),
		cc: addresses(message.cc),
		subject: message.subject,
		text: input.text !== undefined ? input.text : (message.text ?? null),
	});
	return {
		...(claimKey ? { claimKey } : {}),
		where: `case ${theCase.number}`,
		earlier: async () =>
			onceId && (await input.cases.isOutgoingMessageId(onceId)) ? {} : undefined,
		sent: async (message, sent, messageId) => {
			try {
				await input.activities.recordOutgoing({
					...base(message),
					messageId,
					outcome: 'sent',
					detail: partialDetail(sent),
					...(claimKey ? { claimKey } : {}),
				});
			} catch (error) {
				throw new MailCasesError(
					isMailCasesError(error) ? error.code : 'INTERNAL',
					`The mail ${messageId} was sent, but recording it on case ${theCase.number} failed: ${reasonOf(error)}`,
					{ cause: error },
				);
			}
		},
		rejected: async (message, failure) => {
			await input.activities.recordOutgoing({
				...base(message),
				outcome: 'rejected',
				detail: `Rejected by ${failure.by}: ${failure.reply}`,
				...(claimKey ? { claimKey } : {}),
			});
		},
		failed: async (message, error) => {
			await input.activities.recordOutgoing({
				...base(message),
				outcome: 'failed',
				detail: reasonOf(error).slice(0, 1000),
			});
		},
	};
}

/**
 * The record of a mail handled without a case (Forward): a ledger entry under `key`, kept with
 * the mail's content digest (#13.2: another mail under the same Message-ID is sent on its own),
 * then the claim `forward:<key>[ content:<digest>]` marked done. A permanent rejection is not recorded (there is no
 * case for it): the mail fails and is tried again, so it is never disposed of unforwarded.
 */
export function recordedInLedger(
	ledger: Pick<LedgerRepository, 'lookup' | 'recordOutcome'>,
	claims: Pick<SendClaimRepository, 'finish'>,
	key: string,
	detail: string,
	contentDigest?: string,
): SendRecord {
	// #13.2: another mail under the same Message-ID (another digest) is a send of its own
	const claimKey = `forward:${key}${contentDigest ? ` content:${contentDigest}` : ''}`;
	return {
		claimKey,
		earlier: async () => {
			const entry = await ledger.lookup(key, contentDigest);
			return entry ? { at: entry.processedAt } : undefined;
		},
		sent: async (_message, _sent, messageId) => {
			await ledger.recordOutcome({
				messageKey: key,
				outcome: 'forwarded',
				detail: detail.slice(0, 1000),
				...(contentDigest ? { contentDigest } : {}),
			});
			await claims.finish(claimKey, messageId);
		},
	};
}
