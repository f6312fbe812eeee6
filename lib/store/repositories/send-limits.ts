import { sql } from 'kysely';
import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';

/** The longest period a limit may count over; older entries are removed for every key. */
export const MAX_SEND_LIMIT_PERIOD_MS = 7 * 24 * 60 * 60 * 1000;
/** First key of the PostgreSQL advisory lock of a reservation ("mcs2", beside migrations' "mcs1"). */
const LOCK_NAMESPACE = 0x6d63_7332 | 0;

export interface SendLimitReservation {
	/** true: the send was counted and may go out; false: the limit is reached, nothing counted. */
	allowed: boolean;
	/** Sends counted for the key within the period, this one included when allowed. */
	count: number;
	limit: number;
	periodMs: number;
}

function check(key: string, limit: number, periodMs: number): void {
	if (typeof key !== 'string' || key === '' || key.length > 512) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'A send limit needs a key (the recipient address) of 1 to 512 characters',
		);
	}
	if (!Number.isInteger(limit) || limit < 1) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`A send limit must be a whole number of at least 1, got ${limit}`,
		);
	}
	if (!Number.isFinite(periodMs) || periodMs < 1000 || periodMs > MAX_SEND_LIMIT_PERIOD_MS) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`A send limit period must be between 1 second and 7 days, got ${periodMs} ms`,
		);
	}
}

/**
 * #11.6: how many mails went to one recipient within a period (a sliding window), counted in
 * the store so that the limit holds across executions, processes and n8n instances sharing it.
 * One reservation is one transaction: SQLite holds the file's write lock (BEGIN IMMEDIATE);
 * PostgreSQL takes an advisory transaction lock per key, so two workers cannot both take the
 * last free place. A reservation counts when it is made, before sending: a send that fails
 * afterwards still counts (the limit errs towards fewer mails).
 */
export class SendLimitRepository {
	constructor(private readonly ctx: StoreContext) {}

	/** Counts one send to `key` when fewer than `limit` were counted in the last `periodMs`. */
	async reserve(key: string, limit: number, periodMs: number): Promise<SendLimitReservation> {
		check(key, limit, periodMs);
		const now = this.ctx.now();
		const since = new Date(now.getTime() - periodMs);
		const expired = new Date(now.getTime() - MAX_SEND_LIMIT_PERIOD_MS);
		return await this.ctx.transaction(
			`count a mail to ${key} against its send limit`,
			async (trx) => {
				if (this.ctx.isPostgres) {
					await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int4, hashtext(${key}))`.execute(
						trx,
					);
				}
				// the table stays small: entries older than the longest period go, for every key
				await trx.deleteFrom('send_limits').where('sent_at', '<', expired).execute();
				const row = await trx
					.selectFrom('send_limits')
					.select((eb) => eb.fn.countAll().as('n'))
					.where('recipient_key', '=', key)
					.where('sent_at', '>', since)
					.executeTakeFirst();
				const counted = Number(row?.n ?? 0);
				if (counted >= limit) return { allowed: false, count: counted, limit, periodMs };
				await trx.insertInto('send_limits').values({ recipient_key: key, sent_at: now }).execute();
				return { allowed: true, count: counted + 1, limit, periodMs };
			},
		);
	}
}
