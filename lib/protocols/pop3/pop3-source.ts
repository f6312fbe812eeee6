import { MailCasesError } from '../../errors';
import { asPerMailError, perMailError } from '../../intake/mail-error';
import type { Disposition, MailSource, PendingMail } from '../../intake/mail-source';
import { describeMailbox, type MailboxProfile } from '../mailbox-profile';
import { Pop3Client, type Pop3Listing } from './pop3-client';
import { Pop3ServerError } from './pop3-errors';

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

/**
 * Reads a POP3 inbox for the intake loop. One session per cycle: UIDL tells what is there,
 * DELE marks processed mails, QUIT (in commit) makes the deletions happen. A session that dies
 * before QUIT deletes nothing, so its mails are read again (the case store's ledger makes the
 * replay harmless).
 */
export class Pop3Source implements MailSource {
	readonly protocol = 'pop3' as const;
	readonly folder = 'INBOX';
	readonly description: string;
	private client?: Pop3Client;
	private listing = new Map<string, Pop3Listing>();

	/**
	 * @param onStateChange called after every change of `state`, so the owner can have it saved
	 *   (n8n saves static data only when it was marked changed).
	 */
	constructor(
		private readonly profile: MailboxProfile,
		readonly state: Pop3State = emptyPop3State(),
		private readonly onStateChange: () => void = () => undefined,
	) {
		this.description = describeMailbox(profile);
	}

	async open(): Promise<void> {
		if (this.client) return;
		const client = new Pop3Client(this.profile);
		await client.connect();
		this.client = client;
		this.listing = new Map((await client.list()).map((l) => [l.uid, l]));
		// Forget state of mails that are gone from the server.
		let changed = false;
		for (const table of [this.state.quarantined, this.state.kept, this.state.attempts]) {
			for (const uid of Object.keys(table)) {
				if (this.listing.has(uid)) continue;
				delete table[uid];
				changed = true;
			}
		}
		if (changed) this.onStateChange();
	}

	private get pop3(): Pop3Client {
		if (!this.client)
			throw new MailCasesError('CONNECTION_LOST', `No open session with ${this.description}.`);
		return this.client;
	}

	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		await this.open();
		const result: PendingMail[] = [];
		for (const entry of [...this.listing.values()].sort((a, b) => a.num - b.num)) {
			if (result.length >= limit) break;
			if (exclude.has(entry.uid) || this.state.quarantined[entry.uid] || this.state.kept[entry.uid])
				continue;
			result.push({ key: entry.uid, size: entry.size });
		}
		return result;
	}

	private entry(key: string): Pop3Listing {
		const entry = this.listing.get(key);
		if (!entry)
			throw perMailError(key, `Mail ${key} is not in this POP3 session of ${this.description}.`, {
				code: 'NOT_FOUND',
			});
		return entry;
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
		const entry = this.entry(key);
		try {
			const body = await this.pop3.retrieve(entry.num);
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
			try {
				await this.pop3.delete(this.entry(key).num);
			} catch (error) {
				throw this.perMail(key, error);
			}
		} else {
			// POP3 has no folders or flags: the mail stays and is remembered as processed.
			this.state.kept[key] = true;
		}
		delete this.state.attempts[key];
		this.onStateChange();
	}

	async quarantine(key: string, reason: string): Promise<void> {
		this.state.quarantined[key] = reason;
		delete this.state.attempts[key];
		this.onStateChange();
	}

	/** QUIT: the server now deletes what was marked. The next cycle opens a new session. */
	async commit(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		this.listing.clear();
		if (client) await client.quit();
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
		const client = this.client;
		this.client = undefined;
		this.listing.clear();
		// Closing without QUIT on purpose: a session cut short must not delete anything.
		client?.destroy();
	}
}
