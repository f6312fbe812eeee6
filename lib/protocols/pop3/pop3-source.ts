import { MailCasesError, isMailCasesError } from '../../errors';
import { asPerMailError, isPerMailError, perMailError } from '../../intake/mail-error';
import type { Disposition, MailSource, PendingMail } from '../../intake/mail-source';
import { describeMailbox, type MailboxProfile } from '../mailbox-profile';
import { Pop3Client, type Pop3Listing } from './pop3-client';
import { isMaildropLocked, Pop3ServerError } from './pop3-errors';

/**
 * State a POP3 source keeps between polls (POP3 has no flags or folders): UIDLs that were
 * quarantined (left on the server, no longer retried), UIDLs processed but kept on the server,
 * and attempts per UIDL (counted before each run). The trigger node keeps it in the workflow's
 * static data, which n8n writes to its database when the trigger emits a run — started, not
 * awaited, right before the run (see README, "Poison mail").
 */
export interface Pop3State {
	quarantined: Record<string, string>;
	kept: Record<string, true>;
	attempts: Record<string, number>;
}

export function emptyPop3State(): Pop3State {
	return { quarantined: {}, kept: {}, attempts: {} };
}

/** A logged-in POP3 session with what its UIDL listed (message numbers are per session). */
interface Pop3Session {
	client: Pop3Client;
	listing: Map<string, Pop3Listing>;
	/** UIDLs marked with DELE in this session (removed at its QUIT, undone when it dies). */
	marked: Set<string>;
}

/** How often a new session is tried while the server still holds the maildrop lock. */
const LOCKED_RETRIES = 3;
const LOCKED_RETRY_MS = 1_000;

/**
 * Reads a POP3 inbox for the intake loop. One session per cycle: UIDL tells what is there,
 * DELE marks processed mails, QUIT (in commit) makes the deletions happen. A session that dies
 * before QUIT deletes nothing, so its mails are read again (the case store's ledger makes the
 * replay harmless).
 *
 * A run may outlast the session (the server logs out idle sessions, issue #13.6): dispose then
 * opens a new session, finds the mail by its UIDL and marks it there; commit's QUIT removes it.
 * A mail no longer listed in the new session is gone already (removed by an earlier QUIT or by
 * another client): nothing left to do.
 */
export class Pop3Source implements MailSource {
	readonly protocol = 'pop3' as const;
	readonly folder = 'INBOX';
	readonly description: string;
	private session?: Pop3Session;
	private opening?: Promise<Pop3Session>;

	/**
	 * @param onStateChange called after every change of `state`, so the owner can have it saved
	 *   (n8n saves static data only when it was marked changed).
	 * @param lockedRetryMs wait between tries while the maildrop is locked (tests shorten it).
	 */
	constructor(
		private readonly profile: MailboxProfile,
		readonly state: Pop3State = emptyPop3State(),
		private readonly onStateChange: () => void = () => undefined,
		private readonly lockedRetryMs = LOCKED_RETRY_MS,
	) {
		this.description = describeMailbox(profile);
	}

	async open(): Promise<void> {
		await this.live();
	}

	/** The standing session, or a new one when there is none or it died (one login at a time). */
	private async live(): Promise<Pop3Session> {
		if (this.session?.client.alive) return this.session;
		if (!this.opening) {
			// A session that died before QUIT deleted nothing: what it marked for disposal is marked
			// again in the new one (commit's QUIT then removes it).
			const carried = this.session?.marked ?? new Set<string>();
			this.session?.client.destroy();
			this.session = undefined;
			this.opening = this.login(carried).finally(() => (this.opening = undefined));
		}
		return this.opening;
	}

	private async login(carried: ReadonlySet<string>): Promise<Pop3Session> {
		for (let attempt = 1; ; attempt++) {
			const client = new Pop3Client(this.profile);
			try {
				await client.connect();
				const listing = new Map((await client.list()).map((l) => [l.uid, l]));
				const session = { client, listing, marked: new Set<string>() };
				for (const uid of carried) {
					const entry = listing.get(uid);
					if (!entry) continue; // removed already (by an earlier QUIT or another client)
					await client.delete(entry.num);
					session.marked.add(uid);
				}
				this.session = session;
				this.forgetGone(listing);
				return session;
			} catch (error) {
				client.destroy();
				// The server may still hold the lock of a session it has not noticed is gone.
				if (!isLockedError(error) || attempt >= LOCKED_RETRIES) throw error;
				await new Promise((resolve) => setTimeout(resolve, this.lockedRetryMs * attempt));
			}
		}
	}

	/** Forgets state of mails that are gone from the server. */
	private forgetGone(listing: Map<string, Pop3Listing>): void {
		let changed = false;
		for (const table of [this.state.quarantined, this.state.kept, this.state.attempts]) {
			for (const uid of Object.keys(table)) {
				if (listing.has(uid)) continue;
				delete table[uid];
				changed = true;
			}
		}
		if (changed) this.onStateChange();
	}

	private get current(): Pop3Session {
		if (!this.session)
			throw new MailCasesError('CONNECTION_LOST', `No open session with ${this.description}.`);
		return this.session;
	}

	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		const { listing } = await this.live();
		const result: PendingMail[] = [];
		for (const entry of [...listing.values()].sort((a, b) => a.num - b.num)) {
			if (result.length >= limit) break;
			if (exclude.has(entry.uid) || this.state.quarantined[entry.uid] || this.state.kept[entry.uid])
				continue;
			result.push({ key: entry.uid, size: entry.size });
		}
		return result;
	}

	/** A -ERR answer concerns this one mail: the session goes on (issue #11.4). */
	private perMail(key: string, error: unknown): unknown {
		const mailCasesError = error as MailCasesError;
		return mailCasesError instanceof MailCasesError &&
			mailCasesError.cause instanceof Pop3ServerError
			? asPerMailError(key, mailCasesError)
			: error;
	}

	async fetch(key: string): Promise<Buffer> {
		const { client, listing } = this.current;
		const entry = listing.get(key);
		if (!entry)
			throw perMailError(key, `Mail ${key} is not in this POP3 session of ${this.description}.`, {
				code: 'NOT_FOUND',
			});
		try {
			const body = await client.retrieve(entry.num);
			return body ?? Buffer.alloc(0);
		} catch (error) {
			throw this.perMail(key, error);
		}
	}

	attemptsOf(key: string): number | undefined {
		return this.state.attempts[key];
	}

	async recordAttempts(keys: string[]): Promise<Map<string, number>> {
		const counted = new Map<string, number>();
		for (const key of keys) {
			this.state.attempts[key] = (this.state.attempts[key] ?? 0) + 1;
			counted.set(key, this.state.attempts[key]);
		}
		this.onStateChange();
		return counted;
	}

	async dispose(key: string, disposition: Disposition): Promise<void> {
		if (disposition.kind === 'delete') {
			const standing = this.session?.client.alive === true;
			try {
				await this.markDeleted(key);
			} catch (error) {
				// The session looked alive but was not (the server ended it a moment ago, or it is
				// half-open): once more in a new session. A -ERR for this mail is final.
				if (!standing || this.session?.client.alive !== false || isPerMailError(error))
					throw this.perMail(key, error);
				try {
					await this.markDeleted(key);
				} catch (again) {
					throw this.perMail(key, again);
				}
			}
		} else {
			// POP3 has no folders or flags: the mail stays and is remembered as processed.
			this.state.kept[key] = true;
		}
		delete this.state.attempts[key];
		this.onStateChange();
	}

	/** DELE in the standing session, or in a new one when the run outlasted the old (issue #13.6). */
	private async markDeleted(key: string): Promise<void> {
		let session: Pop3Session;
		try {
			session = await this.live();
		} catch (error) {
			throw new MailCasesError(
				isMailCasesError(error) ? error.code : 'CONNECTION_LOST',
				`Mail ${key} was processed, but could not be removed from ${this.description}: the POP3 session of its run had ended and a new one could not be opened: ${(error as Error).message}`,
				{ cause: error, details: { mailbox: this.description } },
			);
		}
		const entry = session.listing.get(key);
		// Not listed in a session opened after the mail was read: removed already.
		if (!entry) return;
		await session.client.delete(entry.num);
		session.marked.add(key);
	}

	/** POP3 keeps no marks on a mail: the reason stays in the trigger's state (the kind in the report). */
	async quarantine(key: string, reason: string): Promise<void> {
		this.state.quarantined[key] = reason;
		delete this.state.attempts[key];
		this.onStateChange();
	}

	/** QUIT: the server now deletes what was marked. The next cycle opens a new session. */
	async commit(): Promise<void> {
		for (let attempt = 1; ; attempt++) {
			let session = this.session;
			if (!session) return;
			// A session that died before QUIT undid its DELEs: they are made again in a new one.
			if (!session.client.alive && session.marked.size) session = await this.live();
			this.session = undefined;
			try {
				await session.client.quit();
				return;
			} catch (error) {
				// QUIT lost: the DELEs were undone, or done if only the answer was lost (then the
				// new session lists those mails no more). Once more in a new session.
				if (!session.marked.size || attempt >= 2 || isPerMailError(error)) throw error;
				this.session = session;
			}
		}
	}

	async waitForMail(maxWaitMs: number, signal: AbortSignal): Promise<void> {
		await this.commit();
		await new Promise<void>((resolve) => {
			const timer = setTimeout(done, maxWaitMs);
			const onAbort = () => done();
			signal.addEventListener('abort', onAbort, { once: true });
			function done() {
				clearTimeout(timer);
				signal.removeEventListener('abort', onAbort);
				resolve();
			}
		});
	}

	async close(): Promise<void> {
		const session = this.session;
		this.session = undefined;
		// Closing without QUIT on purpose: a session cut short must not delete anything.
		session?.client.destroy();
	}
}

function isLockedError(error: unknown): boolean {
	return isMailCasesError(error) && isMaildropLocked(error.cause);
}
