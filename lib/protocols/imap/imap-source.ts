import type { ImapFlow } from 'imapflow';
import { MailCasesError } from '../../errors';
import type { Disposition, MailSource, PendingMail } from '../../intake/mail-source';
import { describeMailbox, mailboxFolder, type MailboxProfile } from '../mailbox-profile';
import { connectImap } from './imap-client';
import { imapError } from './imap-errors';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out`), { code: 'ETIMEOUT' })), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Keyword set on a mail that was processed but stays in the folder (disposition "mark seen"). */
export const PROCESSED_KEYWORD = '$MailCasesDone';
/** Keyword prefix counting failed attempts on the server, so counts survive restarts. */
export const ATTEMPT_KEYWORD = '$MailCasesFail';
/** Keyword set on mails moved to the quarantine folder. */
export const QUARANTINE_KEYWORD = '$MailCasesQuarantined';

/**
 * Reads an IMAP folder for the intake loop: UID-based, IDLE for new mail, attempts counted in
 * keywords on the server, UIDVALIDITY changes detected.
 */
export class ImapSource implements MailSource {
	readonly protocol = 'imap' as const;
	readonly folder: string;
	readonly description: string;
	private client?: ImapFlow;
	private uidValidity?: bigint;
	private reset = false;
	private attempts = new Map<string, number>();
	private newMail = false;
	private wake?: () => void;

	constructor(
		private readonly profile: MailboxProfile,
		private readonly options: { quarantineFolder: string },
	) {
		this.folder = mailboxFolder(profile);
		this.description = `${describeMailbox(profile)}, folder ${this.folder}`;
	}

	private get imap(): ImapFlow {
		if (!this.client || !this.client.usable) {
			throw new MailCasesError('CONNECTION_LOST', `Connection to ${this.description} is closed.`);
		}
		return this.client;
	}

	async open(): Promise<void> {
		if (this.client?.usable) return;
		this.client?.close();
		const client = await connectImap(this.profile);
		this.client = client;
		client.on('exists', () => {
			this.newMail = true;
			this.wake?.();
		});
		client.on('close', () => this.wake?.());
		try {
			const box = await client.mailboxOpen(this.folder);
			if (this.uidValidity !== undefined && box.uidValidity !== this.uidValidity) {
				this.reset = true;
				this.attempts.clear();
			}
			this.uidValidity = box.uidValidity;
		} catch (error) {
			client.close();
			throw imapError(error, this.profile, `opening folder "${this.folder}"`);
		}
	}

	takeReset(): boolean {
		const value = this.reset;
		this.reset = false;
		return value;
	}

	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		const imap = this.imap;
		this.newMail = false;
		try {
			const found = await imap.search({ deleted: false, unKeyword: PROCESSED_KEYWORD }, { uid: true });
			const uids = (found || []).filter((uid) => !exclude.has(String(uid))).sort((a, b) => a - b).slice(0, limit);
			if (!uids.length) return [];
			const result: PendingMail[] = [];
			for await (const message of imap.fetch(uids, { uid: true, size: true, flags: true }, { uid: true })) {
				const key = String(message.uid);
				const count = [...(message.flags ?? [])].filter((f) => f.startsWith(ATTEMPT_KEYWORD)).length;
				this.attempts.set(key, count);
				result.push({ key, size: message.size ?? 0 });
			}
			return result.sort((a, b) => Number(a.key) - Number(b.key));
		} catch (error) {
			throw imapError(error, this.profile, 'listing mails');
		}
	}

	attemptsOf(key: string): number | undefined {
		return this.attempts.get(key);
	}

	async fetch(key: string): Promise<Buffer> {
		try {
			const message = await this.imap.fetchOne(key, { uid: true, source: true }, { uid: true });
			if (!message || !message.source) {
				throw new MailCasesError('NOT_FOUND', `Mail UID ${key} is no longer in ${this.description}.`);
			}
			return message.source;
		} catch (error) {
			throw imapError(error, this.profile, `fetching UID ${key}`);
		}
	}

	async dispose(key: string, disposition: Disposition): Promise<void> {
		const imap = this.imap;
		try {
			if (disposition.kind === 'delete') {
				await imap.messageDelete(key, { uid: true });
			} else if (disposition.kind === 'move') {
				await this.ensureFolder(disposition.folder);
				await imap.messageMove(key, disposition.folder, { uid: true });
			} else {
				await imap.messageFlagsAdd(key, ['\\Seen', PROCESSED_KEYWORD], { uid: true });
			}
			this.attempts.delete(key);
		} catch (error) {
			throw imapError(error, this.profile, `removing UID ${key}`);
		}
	}

	/** One UID set for the whole batch: one STORE + UID EXPUNGE (or one MOVE) instead of one per mail. */
	async disposeMany(keys: string[], disposition: Disposition): Promise<void> {
		const imap = this.imap;
		const set = keys.join(',');
		try {
			if (disposition.kind === 'delete') {
				await imap.messageDelete(set, { uid: true });
			} else if (disposition.kind === 'move') {
				await this.ensureFolder(disposition.folder);
				await imap.messageMove(set, disposition.folder, { uid: true });
			} else {
				await imap.messageFlagsAdd(set, ['\\Seen', PROCESSED_KEYWORD], { uid: true });
			}
			for (const key of keys) this.attempts.delete(key);
		} catch (error) {
			throw imapError(error, this.profile, `removing UIDs ${set}`);
		}
	}

	async recordAttempt(key: string): Promise<number> {
		const next = (this.attempts.get(key) ?? 0) + 1;
		this.attempts.set(key, next);
		try {
			await this.imap.messageFlagsAdd(key, [`${ATTEMPT_KEYWORD}${next}`], { uid: true });
		} catch {
			// The count is still kept in memory; the server copy is a convenience for restarts.
		}
		return next;
	}

	async quarantine(key: string, reason: string): Promise<void> {
		const imap = this.imap;
		try {
			await this.ensureFolder(this.options.quarantineFolder);
			await imap.messageFlagsAdd(key, [QUARANTINE_KEYWORD], { uid: true });
			await imap.messageMove(key, this.options.quarantineFolder, { uid: true });
			this.attempts.delete(key);
		} catch (error) {
			throw imapError(error, this.profile, `moving UID ${key} to quarantine (${reason})`);
		}
	}

	private async ensureFolder(path: string): Promise<void> {
		const folders = await this.imap.list();
		if (folders.some((f) => f.path === path)) return;
		try {
			await this.imap.mailboxCreate(path);
		} catch (error) {
			const again = await this.imap.list();
			if (!again.some((f) => f.path === path)) throw error;
		}
	}

	async commit(): Promise<void> {
		// IMAP changes are immediate (UID EXPUNGE / MOVE).
	}

	async waitForMail(maxWaitMs: number, signal: AbortSignal): Promise<void> {
		const imap = this.imap;
		if (this.newMail) return;
		await new Promise<void>((resolve) => {
			const timer = setTimeout(done, maxWaitMs);
			const onAbort = () => done();
			signal.addEventListener('abort', onAbort, { once: true });
			this.wake = done;
			// IDLE until the server reports new mail, the timer fires or the connection drops.
			imap.idle().catch(() => undefined);
			function done() {
				clearTimeout(timer);
				signal.removeEventListener('abort', onAbort);
				resolve();
			}
		});
		this.wake = undefined;
		if (signal.aborted) return;
		// A liveness check: a half-open connection raises no event, but NOOP fails or times out.
		try {
			await withTimeout(this.imap.noop(), this.profile.timeoutMs ?? 20_000, 'NOOP');
		} catch (error) {
			throw imapError(error, this.profile, 'checking the connection (NOOP)');
		}
	}

	async close(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		if (!client) return;
		try {
			if (client.usable) await client.logout();
		} catch {
			client.close();
		}
	}
}
