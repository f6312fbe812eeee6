import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { toDate } from '../rows';
import type { SendClaim } from '../types';

/** The longest lease a claim may ask for. */
export const MAX_SEND_CLAIM_LEASE_MS = 24 * 60 * 60 * 1000;
/**
 * Claims taken longer ago than this are removed (done ones and abandoned `sending` ones). A
 * claim only guards the moments around one send; that a mail was sent on a case stays in the
 * case's history and its Message-ID (case_message_ids), which the senders check as well.
 */
export const SEND_CLAIM_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** How often one store removes old claims (at most; on a claim). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Checks a claim key: text of 1 to 512 characters. */
export function checkClaimKey(key: unknown): asserts key is string {
	if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`A send claim needs a key of 1 to 512 characters (the unique key of the mail that must go out once), got ${
				typeof key === 'string' ? `${key.length} characters` : JSON.stringify(key ?? null)
			}`,
		);
	}
}

function checkLease(leaseMs: unknown): asserts leaseMs is number {
	if (
		typeof leaseMs !== 'number' ||
		!Number.isInteger(leaseMs) ||
		leaseMs < 1000 ||
		leaseMs > MAX_SEND_CLAIM_LEASE_MS
	) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`A send claim's lease must be a whole number of milliseconds between 1000 (1 second) and ${MAX_SEND_CLAIM_LEASE_MS} (1 day), got ${String(leaseMs)}`,
		);
	}
}

/**
 * Marks the claim on `key` done (the mail went out or was permanently rejected), inside the
 * caller's transaction or as one statement. A claim that is not there (never taken, or removed
 * as old) is written as done. A claim that is done already keeps its first Message-ID and time.
 */
export async function finishClaim(
	ctx: StoreContext,
	db: Executor,
	key: string,
	messageId: string | null,
): Promise<void> {
	const now = ctx.now();
	await db
		.insertInto('send_claims')
		.values({
			claim_key: key,
			state: 'done',
			message_id: messageId,
			claimed_at: now,
			lease_until: null,
			done_at: now,
		})
		.onConflict((oc) =>
			oc
				.column('claim_key')
				.doUpdateSet({ state: 'done', message_id: messageId, lease_until: null, done_at: now })
				.where('send_claims.state', '=', 'sending'),
		)
		.execute();
}

/**
 * #15.2: claims on sends that must happen once (acknowledgement, notification, forward, Send
 * Mail with Send Once Per). A claim is taken in one statement (unique key; state `sending` with a
 * lease), so of two runs that want to send the same mail at the same moment exactly one gets it;
 * the other sees it `held` (and waits, see sendOnce) or `done`. A run that crashed leaves its
 * claim `sending`: after the lease ran out another run takes it over and sends again, with the
 * same deterministic Message-ID.
 *
 * Table `send_claims` (migration 5): claim_key (primary key), state `sending` | `done`,
 * message_id (done), claimed_at, lease_until (sending), done_at (done). Times come from the
 * store's clock (the process's; workers must keep their clocks in sync, as they do with NTP).
 * Claims taken more than 30 days ago are removed (SEND_CLAIM_RETENTION_MS).
 */
export class SendClaimRepository {
	private lastPrune = Number.NEGATIVE_INFINITY;

	constructor(private readonly ctx: StoreContext) {}

	/**
	 * Takes the claim on `key` for `leaseMs`, or says who has it. The decision is one statement:
	 * `INSERT ... ON CONFLICT (claim_key) DO UPDATE ... WHERE state = 'sending' AND lease_until <
	 * now RETURNING`: a new key is inserted, an expired lease is taken over, anything else is left
	 * alone. PostgreSQL locks the conflicting row (a concurrent claimer waits for the first one's
	 * commit and then sees its lease); SQLite holds the file's write lock. So two runs never both
	 * get `claimed`. The state of a claim that was not taken is read in the same transaction.
	 */
	async claim(key: string, leaseMs: number): Promise<SendClaim> {
		checkClaimKey(key);
		checkLease(leaseMs);
		await this.pruneNowAndThen();
		return await this.ctx.transaction(`claim the send ${key}`, async (trx) => {
			const now = this.ctx.now();
			const until = new Date(now.getTime() + leaseMs);
			const taken = await trx
				.insertInto('send_claims')
				.values({
					claim_key: key,
					state: 'sending',
					message_id: null,
					claimed_at: now,
					lease_until: until,
					done_at: null,
				})
				.onConflict((oc) =>
					oc
						.column('claim_key')
						.doUpdateSet({ claimed_at: now, lease_until: until })
						.where('send_claims.state', '=', 'sending')
						.where('send_claims.lease_until', '<', now),
				)
				.returning('claim_key')
				.executeTakeFirst();
			if (taken) return { state: 'claimed' } as const;
			const row = await trx
				.selectFrom('send_claims')
				.select(['state', 'message_id', 'lease_until', 'done_at'])
				.where('claim_key', '=', key)
				.executeTakeFirstOrThrow();
			if (row.state === 'done') {
				return {
					state: 'done',
					at: toDate(row.done_at),
					messageId: row.message_id,
				} as const;
			}
			return { state: 'held', until: toDate(row.lease_until) } as const;
		});
	}

	/** The send under `key` is done (sent, or permanently rejected): later claims find it done. */
	async finish(key: string, messageId: string | null): Promise<void> {
		checkClaimKey(key);
		if (messageId !== null && (typeof messageId !== 'string' || messageId === '')) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Send claim ${key}: the Message-ID of the sent mail must be text or null`,
			);
		}
		await this.ctx.run(`mark the send ${key} done`, (db) =>
			finishClaim(this.ctx, db, key, messageId),
		);
	}

	/**
	 * The send under `key` failed (nothing went out): the claim is given up, a retry may take it
	 * at once. A done claim stays done; an unknown key is nothing to release.
	 */
	async release(key: string): Promise<void> {
		checkClaimKey(key);
		await this.ctx.run(`release the send claim ${key}`, (db) =>
			db
				.deleteFrom('send_claims')
				.where('claim_key', '=', key)
				.where('state', '=', 'sending')
				.execute(),
		);
	}

	/** Removes claims taken more than SEND_CLAIM_RETENTION_MS ago, at most once an hour. */
	private async pruneNowAndThen(): Promise<void> {
		const now = this.ctx.now().getTime();
		if (now - this.lastPrune < PRUNE_EVERY_MS) return;
		this.lastPrune = now;
		const before = new Date(now - SEND_CLAIM_RETENTION_MS);
		await this.ctx.run('remove old send claims', (db) =>
			db
				.deleteFrom('send_claims')
				// a lease lasts at most a day, so none of these is still held
				.where('claimed_at', '<', before)
				.execute(),
		);
	}
}
