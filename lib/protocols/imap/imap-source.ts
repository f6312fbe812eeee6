import type { ImapFlow } from 'imapflow';
import { MailCasesError, isMailCasesError } from '../../errors';
import { asPerMailError, isPerMailError, perMailError } from '../../intake/mail-error';
import type {
	Disposition,
	MailSource,
	PendingMail,
	QuarantineKind,
} from '../../intake/mail-source';
import { describeMailbox, mailboxFolder, type MailboxProfile } from '../mailbox-profile';
import { connectImap } from './imap-client';
import { imapError } from './imap-errors';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(Object.assign(new Error(`${what} timed out`), { code: 'ETIMEOUT' })),
			ms,
		);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Keyword set on a mail that was processed but stays in the folder (disposition "mark seen"). */
export const PROCESSED_KEYWORD = '$MailCasesDone';
/**
 * Keyword prefix counting attempts on the server ($MailCasesFail1, $MailCasesFail2, …), set
 * before each run so counts survive crashes and restarts; removed on success and quarantine.
 */
export const ATTEMPT_KEYWORD = '$MailCasesFail';
/** Keyword set on mails moved to the quarantine folder. */
export const QUARANTINE_KEYWORD = '$MailCasesQuarantined';

/** Keyword telling why a mail was quarantined, one per kind: `$MailCasesQuarantineOversize` … */
export function quarantineKindKeyword(kind: QuarantineKind): string {
	return `$MailCasesQuarantine${kind[0].toUpperCase()}${kind.slice(1)}`;
}

/** Longest keyword we set (servers limit atoms; Dovecot takes far longer ones). */
const MAX_KEYWORD_LENGTH = 64;

/**
 * The keywords that are valid IMAP atoms (RFC 3501 flag-keyword: no space, control character,
 * `(){%*"\]`, not starting with `\`), at most MAX_KEYWORD_LENGTH characters; others are
 * left out rather than have the server refuse the whole command.
 */
export function validKeywords(keywords: readonly string[]): string[] {
	return [
		...new Set(
			keywords.filter(
				(k) =>
					k.length > 0 &&
					k.length <= MAX_KEYWORD_LENGTH &&
					// eslint-disable-next-line no-control-regex
					!/[\x00-\x20\x7f-\uffff(){%*"\\\]]/.test(k),
			),
		),
	];
}

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
	/**
	 * The UIDVALIDITY each key was listed or read under: disposal checks it, so a UID is never
	 * acted on in a folder that was recreated meanwhile (where it may name another mail).
	 */
	private readonly keyValidity = new Map<string, bigint>();
	private reset = false;
	private opening?: Promise<void>;
	private attempts = new Map<string, number>();
	private newMail = false;
	private wake?: () => void;
	/**
	 * Waiting UIDs found by SEARCH and not yet removed, ascending (issue #17.6): the batches of a
	 * backlog are taken from it, so the folder is searched once per backlog, not per batch.
	 * Undefined: search in full at the next listing (after a connect, an IDLE wait, a UIDVALIDITY
	 * change, or when it ran dry).
	 */
	private known?: number[];
	/** The server reported new mail (EXISTS) since the last search: search above the known UIDs. */
	private grown = false;

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
		// One login at a time: a disposal that reconnects may meet the loop doing the same.
		this.opening ??= this.connect().finally(() => (this.opening = undefined));
		return this.opening;
	}

	private async connect(): Promise<void> {
		this.client?.close();
		const client = await connectImap(this.profile);
		this.client = client;
		this.known = undefined;
		client.on('exists', () => {
			this.newMail = true;
			this.grown = true;
			this.wake?.();
		});
		client.on('close', () => this.wake?.());
		try {
			const box = await withTimeout(
				client.mailboxOpen(this.folder),
				this.profile.timeoutMs ?? 20_000,
				'SELECT',
			);
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

	/**
	 * Small commands (SEARCH, STORE, EXPUNGE, MOVE, LIST) may take at most the connection
	 * timeout: on a connection that died without a word they would otherwise wait for the socket
	 * timeout (minutes). The caller then closes the connection and the intake loop reconnects;
	 * what was not done happens again (disposal is idempotent, the case store's ledger guards
	 * the rest). Message downloads are bounded by the socket's inactivity timeout instead.
	 */
	private bounded<T>(command: Promise<T>, what: string): Promise<T> {
		return withTimeout(command, this.profile.timeoutMs ?? 20_000, what);
	}

	takeReset(): boolean {
		const value = this.reset;
		this.reset = false;
		return value;
	}

	/**
	 * Waiting mails, at most `limit`: taken from the UIDs of the last SEARCH (searched again in
	 * full when none of them is left, above the highest known UID when the server reported new
	 * mail), with size and flags fetched for the `limit` chosen only (issue #17.6). A mail removed,
	 * marked processed or deleted by another client since the search is dropped here.
	 */
	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		const imap = this.imap;
		this.newMail = false;
		try {
			let searched = false;
			if (!this.known) {
				this.known = await this.search(imap);
				this.grown = false;
				searched = true;
			} else if (this.grown) {
				this.grown = false;
				const highest = this.known.length ? this.known[this.known.length - 1] : 0;
				const above = await this.search(imap, highest + 1);
				this.known.push(...above.filter((uid) => uid > highest));
			}
			let uids = this.choosable(limit, exclude);
			if (!uids.length && !searched) {
				// Ran dry: one full search finds what arrived unannounced or came back.
				this.known = await this.search(imap);
				uids = this.choosable(limit, exclude);
			}
			if (!uids.length) return [];
			return await this.listed(imap, uids);
		} catch (error) {
			throw imapError(error, this.profile, 'listing mails');
		}
	}

	/** UIDs of waiting mails (not deleted, not marked processed), ascending; from `from` on. */
	private async search(imap: ImapFlow, from?: number): Promise<number[]> {
		const found = await this.bounded(
			imap.search(
				{
					deleted: false,
					unKeyword: PROCESSED_KEYWORD,
					...(from !== undefined ? { uid: `${from}:*` } : {}),
				},
				{ uid: true },
			),
			'SEARCH',
		);
		return [...new Set(found || [])].sort((a, b) => a - b);
	}

	private choosable(limit: number, exclude: ReadonlySet<string>): number[] {
		const uids: number[] = [];
		for (const uid of this.known ?? []) {
			if (uids.length >= limit) break;
			if (!exclude.has(String(uid))) uids.push(uid);
		}
		return uids;
	}

	/** One FETCH of size and flags for the chosen UIDs; the ones gone or done are forgotten. */
	private async listed(imap: ImapFlow, uids: number[]): Promise<PendingMail[]> {
		const result: PendingMail[] = [];
		const seen = new Set<number>();
		await this.bounded(
			(async () => {
				for await (const message of imap.fetch(
					uids.join(','),
					{ uid: true, size: true, flags: true },
					{ uid: true },
				)) {
					const flags = message.flags ?? new Set<string>();
					if (flags.has('\\Deleted') || flags.has(PROCESSED_KEYWORD)) continue;
					seen.add(message.uid);
					const key = String(message.uid);
					if (this.uidValidity !== undefined) this.keyValidity.set(key, this.uidValidity);
					const count = [...flags].filter((f) => f.startsWith(ATTEMPT_KEYWORD)).length;
					// the higher count wins: a server whose keywords are not permanent, or a mail whose
					// keywords were taken off before a move the server then refused, keeps its count
					this.attempts.set(key, Math.max(count, this.attempts.get(key) ?? 0));
					result.push({ key, size: message.size ?? 0 });
				}
			})(),
			'FETCH FLAGS',
		);
		const gone = new Set(uids.filter((uid) => !seen.has(uid)));
		if (gone.size) this.forget([...gone].map(String));
		return result.sort((a, b) => Number(a.key) - Number(b.key));
	}

	/** The mails are no longer waiting (removed, moved, or gone). */
	private forget(keys: string[]): void {
		if (!this.known) return;
		const drop = new Set(keys.map(Number));
		this.known = this.known.filter((uid) => !drop.has(uid));
	}

	attemptsOf(key: string): number | undefined {
		return this.attempts.get(key);
	}

	/**
	 * imapflow answers a tagged NO/BAD to UID FETCH by rejecting with `responseStatus` 'NO'/'BAD'
	 * (no `code`) and keeps the connection; a closed socket rejects with a code such as
	 * NoConnection. STORE, MOVE and EXPUNGE resolve `false` for both: then `usable` tells.
	 */
	private refusedForMail(error: unknown): boolean {
		const status = (error as { responseStatus?: string } | undefined)?.responseStatus;
		return (status === 'NO' || status === 'BAD') && this.client?.usable === true;
	}

	/** A STORE/MOVE/EXPUNGE that resolved `false`: per-mail refusal, or the connection died. */
	private checked(ok: unknown, key: string, what: string): void {
		if (ok !== false && ok !== undefined) return;
		// undefined: imapflow found no selected folder, a state only a new session repairs.
		if (ok === undefined || !this.client?.usable)
			throw new MailCasesError(
				'CONNECTION_LOST',
				`Connection to ${this.description} was lost while ${what}.`,
			);
		throw perMailError(
			key,
			`The IMAP server refused ${what} in ${this.description} (see the server log for why).`,
		);
	}

	async fetch(key: string): Promise<Buffer> {
		try {
			const message = await this.imap.fetchOne(key, { uid: true, source: true }, { uid: true });
			if (!message || !message.source) {
				throw perMailError(key, `Mail UID ${key} is no longer in ${this.description}.`, {
					code: 'NOT_FOUND',
				});
			}
			if (this.uidValidity !== undefined) this.keyValidity.set(key, this.uidValidity);
			return message.source;
		} catch (error) {
			if (isPerMailError(error)) throw error;
			const mapped = imapError(error, this.profile, `fetching UID ${key}`);
			throw this.refusedForMail(error) ? asPerMailError(key, mapped) : mapped;
		}
	}

	/**
	 * The bytes of several mails in ONE `UID FETCH` over their UID set (issue #17.6). Mails the
	 * answer does not contain are left out (the caller reads them alone, which names the reason).
	 * A NO/BAD to the set is a per-mail error for the set; anything else a connection failure.
	 */
	async fetchMany(keys: string[]): Promise<Map<string, Buffer>> {
		const set = keys.join(',');
		const fetched = new Map<string, Buffer>();
		try {
			const wanted = new Set(keys);
			for await (const message of this.imap.fetch(
				set,
				{ uid: true, source: true },
				{ uid: true },
			)) {
				const key = String(message.uid);
				if (!wanted.has(key) || !message.source) continue;
				if (this.uidValidity !== undefined) this.keyValidity.set(key, this.uidValidity);
				fetched.set(key, message.source);
			}
			return fetched;
		} catch (error) {
			const mapped = imapError(error, this.profile, `fetching UID ${set}`);
			throw this.refusedForMail(error) ? asPerMailError(set, mapped) : mapped;
		}
	}

	/** The attempt keywords a set of mails may carry ($MailCasesFail1 … highest count). */
	private attemptKeywords(keys: string[]): string[] {
		const highest = Math.max(0, ...keys.map((key) => this.attempts.get(key) ?? 0));
		return Array.from({ length: highest }, (_, i) => `${ATTEMPT_KEYWORD}${i + 1}`);
	}

	/**
	 * Removes the attempt keywords, so they do not follow the mail into another folder (or come
	 * back when a processed mail is read again). Best effort: the mail is done either way.
	 */
	private async clearAttempts(set: string, keys: string[]): Promise<void> {
		const keywords = this.attemptKeywords(keys);
		if (!keywords.length) return;
		const ok = await this.bounded(
			this.imap.messageFlagsRemove(set, keywords, { uid: true }),
			'messageFlagsRemove',
		);
		if (ok === false && !this.client?.usable)
			throw new MailCasesError(
				'CONNECTION_LOST',
				`Connection to ${this.description} was lost while clearing attempt keywords of UID ${set}.`,
			);
	}

	async dispose(key: string, disposition: Disposition): Promise<void> {
		await this.disposeSet(key, [key], disposition);
	}

	/** One UID set for the whole batch: one STORE + UID EXPUNGE (or one MOVE) instead of one per mail. */
	async disposeMany(keys: string[], disposition: Disposition): Promise<void> {
		await this.disposeSet(keys.join(','), keys, disposition);
	}

	/**
	 * Disposal, in the standing session or - when the run outlasted it (the server logged it out,
	 * or it broke) - in a new one (issue #13.6). Every step is idempotent (flags, UID EXPUNGE,
	 * UID MOVE of UIDs that are gone do nothing), so a session that dies half-way is replaced and
	 * the disposal done once more.
	 */
	private async disposeSet(set: string, keys: string[], disposition: Disposition): Promise<void> {
		const standing = this.client?.usable === true;
		await this.inSession(set, keys, `removing UID ${set}`, async () => {
			try {
				await this.disposeNow(set, keys, disposition);
			} catch (error) {
				if (!standing || !this.broke(error)) throw error;
				// The standing session failed under the disposal: once more in a new session.
				this.client?.close();
				await this.inSession(set, keys, `removing UID ${set}`, () =>
					this.disposeNow(set, keys, disposition),
				);
			}
		});
		for (const key of keys) {
			this.attempts.delete(key);
			this.keyValidity.delete(key);
		}
		this.forget(keys);
	}

	/** The session broke under a command (closed, or no answer in time), not a refusal. */
	private broke(error: unknown): boolean {
		if (isPerMailError(error)) return false;
		return (
			!this.client?.usable ||
			(isMailCasesError(error) &&
				(error.code === 'CONNECTION_LOST' || error.code === 'CONNECTION_TIMEOUT'))
		);
	}

	/**
	 * Runs `work` on a usable session whose folder has the UIDVALIDITY the mails were read under.
	 * Opens a new session when the old one is gone; a failure to do so is a connection error that
	 * says what happened. A changed UIDVALIDITY is a per-mail error: nothing is done.
	 */
	private async inSession(
		set: string,
		keys: string[],
		what: string,
		work: () => Promise<void>,
	): Promise<void> {
		if (!this.client?.usable) {
			try {
				await this.open();
			} catch (error) {
				const mapped = imapError(error, this.profile, what);
				throw new MailCasesError(
					mapped.code,
					`UID ${set} could not be handled (${what}): the IMAP session of ${this.description} had ended and a new one could not be opened: ${mapped.message}`,
					{ cause: error, details: mapped.details },
				);
			}
		}
		const changed = keys.filter((key) => {
			const was = this.keyValidity.get(key);
			return was !== undefined && was !== this.uidValidity;
		});
		if (changed.length) {
			const was = this.keyValidity.get(changed[0]);
			throw perMailError(
				changed.length === keys.length ? set : changed.join(','),
				`Mail UID ${changed.join(',')} was not touched (${what}): the UIDVALIDITY of folder "${this.folder}" in ${this.description} changed from ${was} to ${this.uidValidity} since the mail was read (the folder was deleted and created again, or rebuilt by the server), so the UID may now name another mail. The mail is still in the folder under a new UID and will be read again.`,
				{ code: 'CONFLICT' },
			);
		}
		await work();
	}

	private async disposeNow(set: string, keys: string[], disposition: Disposition): Promise<void> {
		const imap = this.imap;
		try {
			if (disposition.kind === 'delete') {
				this.checked(
					await this.bounded(imap.messageDelete(set, { uid: true }), 'messageDelete'),
					set,
					`deleting UID ${set}`,
				);
			} else if (disposition.kind === 'move') {
				await this.ensureFolder(disposition.folder);
				await this.clearAttempts(set, keys);
				// Set before the move, so they travel with the mail.
				await this.addKeywords(set, disposition.keywords ?? []);
				this.checked(
					await this.bounded(
						imap.messageMove(set, disposition.folder, { uid: true }),
						'messageMove',
					),
					set,
					`moving UID ${set} to "${disposition.folder}"`,
				);
			} else {
				this.checked(
					await this.bounded(
						imap.messageFlagsAdd(set, ['\\Seen', PROCESSED_KEYWORD], { uid: true }),
						'messageFlagsAdd',
					),
					set,
					`marking UID ${set} processed`,
				);
				await this.clearAttempts(set, keys);
			}
		} catch (error) {
			if (isPerMailError(error)) throw error;
			throw imapError(error, this.profile, `removing UID ${set}`);
		}
	}

	/**
	 * Sets keywords the selected folder accepts (PERMANENTFLAGS lists them or `\*`). Best effort:
	 * a folder that takes no keywords, or refuses them, still gets the mail.
	 */
	private async addKeywords(set: string, wanted: readonly string[]): Promise<void> {
		const permanent = this.client?.mailbox ? this.client.mailbox.permanentFlags : undefined;
		const keywords = validKeywords(wanted).filter(
			(k) => !permanent || permanent.has('\\*') || permanent.has(k),
		);
		if (!keywords.length) return;
		const ok = await this.bounded(
			this.imap.messageFlagsAdd(set, keywords, { uid: true }),
			'messageFlagsAdd',
		);
		if (ok === false && !this.client?.usable)
			throw new MailCasesError(
				'CONNECTION_LOST',
				`Connection to ${this.description} was lost while setting keywords on UID ${set}.`,
			);
	}

	async recordAttempts(keys: string[]): Promise<Map<string, number>> {
		const counted = new Map<string, number>();
		const byCount = new Map<number, string[]>();
		for (const key of keys) {
			const next = (this.attempts.get(key) ?? 0) + 1;
			this.attempts.set(key, next);
			counted.set(key, next);
			byCount.set(next, [...(byCount.get(next) ?? []), key]);
		}
		for (const [count, group] of byCount) {
			const set = group.join(',');
			let ok: unknown;
			try {
				ok = await this.bounded(
					this.imap.messageFlagsAdd(set, [`${ATTEMPT_KEYWORD}${count}`], { uid: true }),
					'messageFlagsAdd',
				);
			} catch (error) {
				throw imapError(error, this.profile, `counting an attempt on UID ${set}`);
			}
			if (ok === false && !this.client?.usable) {
				throw new MailCasesError(
					'CONNECTION_LOST',
					`Connection to ${this.description} was lost while counting an attempt on UID ${set}.`,
				);
			}
			// `false` on a live connection: the folder accepts no keywords (PERMANENTFLAGS without
			// \*) or refused them; the count is then kept in memory only and lost on a restart.
		}
		return counted;
	}

	/**
	 * Moves the mail to the quarantine folder with `$MailCasesQuarantined` and a keyword naming
	 * why (`$MailCasesQuarantineOversize` …), where the folder accepts keywords.
	 */
	async quarantine(key: string, reason: string, kind?: QuarantineKind): Promise<void> {
		const folder = this.options.quarantineFolder;
		const what = `moving UID ${key} to quarantine folder "${folder}"`;
		const standing = this.client?.usable === true;
		const attempt = () =>
			this.inSession(key, [key], what, () => this.quarantineNow(key, reason, kind));
		try {
			await attempt();
		} catch (error) {
			if (!standing || !this.broke(error)) throw error;
			this.client?.close();
			await attempt();
		}
		this.attempts.delete(key);
		this.keyValidity.delete(key);
		this.forget([key]);
	}

	private async quarantineNow(key: string, reason: string, kind?: QuarantineKind): Promise<void> {
		const folder = this.options.quarantineFolder;
		try {
			await this.ensureFolder(folder);
			await this.addKeywords(key, [
				QUARANTINE_KEYWORD,
				...(kind ? [quarantineKindKeyword(kind)] : []),
			]);
			// Without its attempt count, a mail moved back after the cause was fixed starts afresh.
			await this.clearAttempts(key, [key]);
			this.checked(
				await this.bounded(this.imap.messageMove(key, folder, { uid: true }), 'messageMove'),
				key,
				`moving UID ${key} to quarantine folder "${folder}"`,
			);
		} catch (error) {
			if (isPerMailError(error)) throw error;
			throw imapError(error, this.profile, `moving UID ${key} to quarantine (${reason})`);
		}
	}

	private async ensureFolder(path: string): Promise<void> {
		const folders = await this.bounded(this.imap.list(), 'LIST');
		if (folders.some((f) => f.path === path)) return;
		try {
			await this.bounded(this.imap.mailboxCreate(path), 'mailboxCreate');
		} catch (error) {
			const again = await this.bounded(this.imap.list(), 'LIST');
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
		// After a wait the folder is searched in full again (flags may have changed meanwhile).
		this.known = undefined;
		// A liveness check that also asks whether the folder is still the one we selected. A
		// half-open connection raises no event, but this command times out. A folder deleted and
		// created again by another client (new UIDVALIDITY) is not announced by every server, and
		// STATUS/LIST answer from the session's stale view: selecting the folder again is what
		// reliably shows its current UIDVALIDITY.
		let box;
		try {
			box = await this.bounded(this.imap.mailboxOpen(this.folder), 'SELECT');
		} catch (error) {
			throw imapError(error, this.profile, `checking folder "${this.folder}"`);
		}
		if (this.uidValidity !== undefined && box.uidValidity !== this.uidValidity) {
			this.reset = true;
			this.attempts.clear();
			this.known = undefined;
		}
		this.uidValidity = box.uidValidity;
	}

	async close(): Promise<void> {
		const client = this.client;
		this.client = undefined;
		if (!client) return;
		try {
			// LOGOUT politely, but never wait on a connection that stopped answering (half-open).
			if (client.usable)
				await withTimeout(client.logout(), this.profile.timeoutMs ?? 20_000, 'LOGOUT');
		} catch {
			// closed below
		} finally {
			client.close();
		}
	}
}
