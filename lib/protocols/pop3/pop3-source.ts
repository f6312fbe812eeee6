import { MailCasesError } from '../../errors';
import type { Disposition, MailSource, PendingMail } from '../../intake/mail-source';
import { describeMailbox, type MailboxProfile } from '../mailbox-profile';
import { Pop3Client, type Pop3Listing } from './pop3-client';

/**
 * State a POP3 source keeps between polls (POP3 has no flags or folders): UIDLs that were
 * quarantined (left on the server, no longer retried) and UIDLs processed but kept on the
 * server. The trigger node persists it in the workflow's static data.
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

	constructor(
		private readonly profile: MailboxProfile,
		readonly state: Pop3State = emptyPop3State(),
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
		for (const table of [this.state.quarantined, this.state.kept, this.state.attempts]) {
			for (const uid of Object.keys(table)) if (!this.listing.has(uid)) delete table[uid];
		}
	}

	private get pop3(): Pop3Client {
		if (!this.client) throw new MailCasesError('CONNECTION_LOST', `No open session with ${this.description}.`);
		return this.client;
	}

	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		await this.open();
		const result: PendingMail[] = [];
		for (const entry of [...this.listing.values()].sort((a, b) => a.num - b.num)) {
			if (result.length >= limit) break;
			if (exclude.has(entry.uid) || this.state.quarantined[entry.uid] || this.state.kept[entry.uid]) continue;
			result.push({ key: entry.uid, size: entry.size });
		}
		return result;
	}

	private entry(key: string): Pop3Listing {
		const entry = this.listing.get(key);
		if (!entry) throw new MailCasesError('NOT_FOUND', `Mail ${key} is not in this POP3 session of ${this.description}.`);
		return entry;
	}

	async fetch(key: string): Promise<Buffer> {
		const body = await this.pop3.retrieve(this.entry(key).num);
		return body ?? Buffer.alloc(0);
	}

	attemptsOf(key: string): number | undefined {
		return this.state.attempts[key];
	}

	async recordAttempt(key: string): Promise<number> {
		this.state.attempts[key] = (this.state.attempts[key] ?? 0) + 1;
		return this.state.attempts[key];
	}

	async dispose(key: string, disposition: Disposition): Promise<void> {
		if (disposition.kind === 'delete') {
			await this.pop3.delete(this.entry(key).num);
		} else {
			// POP3 has no folders or flags: the mail stays and is remembered as processed.
			this.state.kept[key] = true;
		}
		delete this.state.attempts[key];
	}

	async quarantine(key: string, reason: string): Promise<void> {
		this.state.quarantined[key] = reason;
		delete this.state.attempts[key];
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
