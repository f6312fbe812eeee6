import { MailCasesError, isMailCasesError } from '../../errors';
import { asPerMailError, isPerMailError } from '../../intake/mail-error';
import type {
	Disposition,
	MailSource,
	PendingMail,
	QuarantineKind,
} from '../../intake/mail-source';
import { describeExchange, exchangeFolder, type ExchangeProfile } from './exchange-profile';
import { GraphClient, type GraphClientOptions } from './graph-client';
import { GraphFolders } from './graph-folders';

/**
 * Reads a mail folder of an Exchange Online mailbox for the intake loop (MailSource).
 *
 * State kept on the server, so it survives restarts and is visible in Outlook:
 * - Outlook categories on the message: `MailCases-Fail-<n>` counts failed attempts,
 *   `MailCases-Done` marks a mail processed with disposition "mark read" (it stays in the folder
 *   and is skipped by the listing; Graph's $filter cannot express "has not this category", so
 *   the skip happens here while paging), `MailCases-Quarantined` marks quarantined mail.
 * - The quarantine reason in a single-value extended property (named property
 *   `MailCasesQuarantineReason`), set before the mail is moved to the quarantine folder.
 *
 * "delete" moves the mail to Deleted Items by default (the user can still restore it);
 * `deleteMode` chooses a soft delete (DELETE: Recoverable Items) or permanentDelete instead
 * (permanentDelete exists in the global cloud only).
 *
 * New mail is noticed by polling a delta query (changeType=created) every `checkIntervalMs`
 * inside waitForMail; the listing itself is always a fresh, ordered list of the folder.
 */
export const DONE_CATEGORY = 'MailCases-Done';
export const FAIL_CATEGORY_PREFIX = 'MailCases-Fail-';
export const QUARANTINE_CATEGORY = 'MailCases-Quarantined';

const QUARANTINE_KIND_PREFIX = 'MailCases-Quarantine-';

/** Category telling why a mail was quarantined: `MailCases-Quarantine-Oversize` … */
export function quarantineKindCategory(kind: QuarantineKind): string {
	return `${QUARANTINE_KIND_PREFIX}${kind[0].toUpperCase()}${kind.slice(1)}`;
}

/**
 * The Outlook category for an IMAP keyword of a move (issue #13.4): our `$MailCasesSkipped`
 * becomes `MailCases-Skipped`, any other keyword loses its `$`. Empty ones are left out;
 * Outlook takes category names up to 255 characters.
 */
export function keywordCategory(keyword: string): string | undefined {
	const name = keyword.replace(/^\$/, '').replace(/^MailCases(?=[A-Z])/, 'MailCases-');
	return name.trim() ? name.slice(0, 255) : undefined;
}
/** Named extended property holding the quarantine reason (our own property set GUID). */
export const QUARANTINE_REASON_PROPERTY =
	'String {6f3b1c2e-8d4a-4e7b-9c15-2a0d5e7f9b31} Name MailCasesQuarantineReason';
/** PidTagMessageSize: Graph's message resource has no size property. */
export const MESSAGE_SIZE_PROPERTY = 'Integer 0x0E08';

export type GraphDeleteMode = 'deletedItems' | 'softDelete' | 'permanent';

export interface GraphSourceOptions {
	/** Folder for mail that keeps failing; created on demand. Default "Quarantine". */
	quarantineFolder?: string;
	/** What disposition "delete" does. Default deletedItems (move to Deleted Items). */
	deleteMode?: GraphDeleteMode;
	/** Messages per listing request (1..1000). Default 100. */
	pageSize?: number;
	/** Interval of the delta check inside waitForMail. Default 15 s. */
	checkIntervalMs?: number;
	client?: GraphClient;
	clientOptions?: GraphClientOptions;
}

interface ListedMessage {
	id: string;
	receivedDateTime?: string;
	categories?: string[];
	singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

function failCount(categories: string[] | undefined): number {
	let count = 0;
	for (const category of categories ?? []) {
		if (category.startsWith(FAIL_CATEGORY_PREFIX)) {
			const n = Number(category.slice(FAIL_CATEGORY_PREFIX.length));
			if (Number.isInteger(n) && n > count) count = n;
		}
	}
	return count;
}

function sizeOf(message: ListedMessage): number {
	const prop = message.singleValueExtendedProperties?.find((p) =>
		/^integer 0x0?e08$/i.test(p.id.trim()),
	);
	const size = prop ? Number(prop.value) : 0;
	return Number.isFinite(size) && size > 0 ? size : 0;
}

/**
 * Graph's answer about one message id (issue #11.4): a 4xx other than 401/403 (credentials,
 * permissions), 408/429 (time, throttling) and an unknown mailbox concerns that mail only. A
 * network failure or 5xx has no such status and stays a connection failure.
 */
function forMail(key: string, error: unknown): unknown {
	if (isPerMailError(error)) return error;
	if (!isMailCasesError(error) || error.code === 'MAILBOX_NOT_FOUND') return error;
	const status = Number(error.details?.httpStatus);
	const perMessage = status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
	return perMessage ? asPerMailError(key, error) : error;
}

/** Thrown for a 404 of a mail that someone else removed meanwhile: nothing left to do. */
class MailGone extends Error {}
const gone = () => new MailGone('gone');

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
	});
}

export class GraphSource implements MailSource {
	readonly protocol = 'graph' as const;
	readonly folder: string;
	readonly description: string;
	readonly client: GraphClient;
	private readonly folders: GraphFolders;
	private readonly quarantineFolder: string;
	private readonly deleteMode: GraphDeleteMode;
	private readonly pageSize: number;
	private readonly checkIntervalMs: number;
	private folderId?: string;
	private deltaLink?: string;
	private readonly attempts = new Map<string, number>();

	constructor(profile: ExchangeProfile, options: GraphSourceOptions = {}) {
		this.client = options.client ?? new GraphClient(profile, options.clientOptions);
		this.folders = new GraphFolders(this.client);
		this.folder = exchangeFolder(profile);
		this.description = `${describeExchange(profile)}, folder ${this.folder}`;
		this.quarantineFolder = options.quarantineFolder?.trim() || 'Quarantine';
		this.deleteMode = options.deleteMode ?? 'deletedItems';
		this.pageSize = Math.min(Math.max(Math.floor(options.pageSize ?? 100), 1), 1000);
		this.checkIntervalMs = options.checkIntervalMs ?? 15_000;
	}

	private get user(): string {
		return this.client.userPath;
	}

	private messagePath(key: string, suffix = ''): string {
		return `${this.user}/messages/${encodeURIComponent(key)}${suffix}`;
	}

	async open(): Promise<void> {
		if (this.folderId) return;
		const folder = await this.folders.get(this.folder);
		this.folderId = folder.id;
		await this.startDelta().catch(() => undefined); // only an early wake-up; listing works without
	}

	async listPending(limit: number, exclude: ReadonlySet<string>): Promise<PendingMail[]> {
		const folderId = this.requireOpen();
		const result: PendingMail[] = [];
		const pages = this.client.pages<ListedMessage>({
			method: 'GET',
			path: `${this.user}/mailFolders/${encodeURIComponent(folderId)}/messages`,
			query: {
				$select: 'id,receivedDateTime,categories',
				$orderby: 'receivedDateTime asc',
				$top: this.pageSize,
				$expand: `singleValueExtendedProperties($filter=id eq '${MESSAGE_SIZE_PROPERTY}')`,
			},
			what: `listing mails in folder ${this.folder}`,
			permission: 'Mail.ReadWrite',
		});
		for await (const page of pages) {
			for (const message of page) {
				if (message.categories?.includes(DONE_CATEGORY) || exclude.has(message.id)) continue;
				// the higher count wins (a category taken off before a move the server then refused)
				this.attempts.set(
					message.id,
					Math.max(failCount(message.categories), this.attempts.get(message.id) ?? 0),
				);
				result.push({ key: message.id, size: sizeOf(message) });
				if (result.length >= limit) return result;
			}
		}
		return result;
	}

	attemptsOf(key: string): number | undefined {
		return this.attempts.get(key);
	}

	async fetch(key: string): Promise<Buffer> {
		this.requireOpen();
		try {
			return await this.download(key);
		} catch (error) {
			throw forMail(key, error);
		}
	}

	private async download(key: string): Promise<Buffer> {
		return this.client.buffer({
			method: 'GET',
			path: this.messagePath(key, '/$value'),
			headers: { Accept: '*/*' },
			what: `fetching mail ${key}`,
			permission: 'Mail.ReadWrite',
			notFound: () =>
				new MailCasesError('NOT_FOUND', `Mail ${key} is no longer in ${this.description}.`),
		});
	}

	async dispose(key: string, disposition: Disposition): Promise<void> {
		await this.finish(key, () => this.disposeOne(key, disposition));
	}

	/** Disposal or quarantine of one mail: Graph's refusal for it is a per-mail error; done clears the count. */
	private async finish(key: string, change: () => Promise<void>): Promise<void> {
		this.requireOpen();
		try {
			await change();
		} catch (error) {
			throw forMail(key, error);
		}
		this.attempts.delete(key);
	}

	private async disposeOne(key: string, disposition: Disposition): Promise<void> {
		try {
			if (disposition.kind === 'move') {
				const target = await this.folders.resolve(disposition.folder, true);
				const added = (disposition.keywords ?? []).flatMap((k) => keywordCategory(k) ?? []);
				if (added.length) {
					// Set before the move, so they travel with the mail; the attempt count does not.
					const categories = await this.categoriesOf(key, gone);
					await this.patch(
						key,
						{ categories: [...new Set([...withoutOurs(categories, false), ...added])] },
						`setting categories on mail ${key}`,
						gone,
					);
				} else if (this.attempts.get(key)) {
					// The attempt count must not follow the mail into the target folder.
					await this.clearAttempts(key);
				}
				await this.move(key, target!, `moving mail ${key} to folder ${disposition.folder}`, gone);
			} else if (disposition.kind === 'markSeen') {
				const categories = await this.categoriesOf(key, gone);
				await this.patch(
					key,
					{ isRead: true, categories: [...withoutOurs(categories, true), DONE_CATEGORY] },
					`marking mail ${key} read`,
					gone,
				);
			} else if (this.deleteMode === 'permanent') {
				await this.client.request({
					method: 'POST',
					path: this.messagePath(key, '/permanentDelete'),
					what: `deleting mail ${key} permanently`,
					permission: 'Mail.ReadWrite',
					notFound: gone,
				});
			} else if (this.deleteMode === 'softDelete') {
				await this.client.request({
					method: 'DELETE',
					path: this.messagePath(key),
					what: `deleting mail ${key}`,
					permission: 'Mail.ReadWrite',
					notFound: gone,
				});
			} else {
				await this.move(key, 'deleteditems', `moving mail ${key} to Deleted Items`, gone);
			}
		} catch (error) {
			if (!(error instanceof MailGone)) throw error;
			// A mail that someone else removed meanwhile needs nothing more; but a 404 can also
			// mean the target folder vanished (stale id): then the mail is still here.
			if (await this.exists(key)) {
				this.folders.reset();
				throw new MailCasesError(
					'NOT_FOUND',
					`Mail ${key} could not be disposed of in ${this.description}: the target folder was not found.`,
				);
			}
		}
	}

	private async clearAttempts(key: string): Promise<void> {
		const categories = await this.categoriesOf(key, gone);
		await this.patch(
			key,
			{ categories: withoutOurs(categories, false) },
			`clearing the attempt count of mail ${key}`,
			gone,
		);
	}

	async recordAttempts(keys: string[]): Promise<Map<string, number>> {
		const counted = new Map<string, number>();
		for (const key of keys) counted.set(key, await this.recordAttempt(key));
		return counted;
	}

	/**
	 * Counts an attempt in the category `MailCases-Fail-<n>` before the run. A message Graph
	 * refuses to change keeps its count in memory only; a connection failure rejects.
	 */
	async recordAttempt(key: string): Promise<number> {
		const next = (this.attempts.get(key) ?? 0) + 1;
		this.attempts.set(key, next);
		try {
			const categories = await this.categoriesOf(key);
			await this.patch(
				key,
				{ categories: [...withoutOurs(categories, false), `${FAIL_CATEGORY_PREFIX}${next}`] },
				`counting an attempt on mail ${key}`,
			);
		} catch (error) {
			if (!isPerMailError(forMail(key, error))) throw error;
		}
		return next;
	}

	/**
	 * Moves the mail to the quarantine folder with the categories `MailCases-Quarantined` and one
	 * naming why (`MailCases-Quarantine-Oversize` …), and the reason in an extended property.
	 */
	async quarantine(key: string, reason: string, kind?: QuarantineKind): Promise<void> {
		await this.finish(key, () => this.quarantineOne(key, reason, kind));
	}

	private async quarantineOne(key: string, reason: string, kind?: QuarantineKind): Promise<void> {
		const target = await this.folders.resolve(this.quarantineFolder, true);
		try {
			const categories = await this.categoriesOf(key, gone);
			await this.patch(
				key,
				{
					// Without its attempt count, a mail moved back after the cause was fixed starts afresh.
					categories: [
						...withoutOurs(categories, false).filter(
							(c) => c !== QUARANTINE_CATEGORY && !c.startsWith(QUARANTINE_KIND_PREFIX),
						),
						QUARANTINE_CATEGORY,
						...(kind ? [quarantineKindCategory(kind)] : []),
					],
					singleValueExtendedProperties: [
						{ id: QUARANTINE_REASON_PROPERTY, value: reason.slice(0, 2000) },
					],
				},
				`recording the quarantine reason on mail ${key}`,
				gone,
			);
			await this.move(
				key,
				target!,
				`moving mail ${key} to quarantine folder ${this.quarantineFolder}`,
				gone,
			);
		} catch (error) {
			if (!(error instanceof MailGone)) throw error;
			if (await this.exists(key)) {
				this.folders.reset();
				throw new MailCasesError(
					'NOT_FOUND',
					`Mail ${key} could not be moved to quarantine folder ${this.quarantineFolder}: the folder was not found.`,
				);
			}
		}
	}

	async commit(): Promise<void> {
		// Graph changes are immediate.
	}

	async waitForMail(maxWaitMs: number, signal: AbortSignal): Promise<void> {
		this.requireOpen();
		const deadline = Date.now() + maxWaitMs;
		while (!signal.aborted) {
			const remaining = deadline - Date.now();
			if (remaining <= 0) return;
			await sleep(Math.min(this.checkIntervalMs, remaining), signal);
			if (signal.aborted || Date.now() >= deadline) return;
			if (await this.deltaHasNews()) return;
		}
	}

	async close(): Promise<void> {
		this.folderId = undefined;
		this.deltaLink = undefined;
		this.folders.reset();
		this.client.close();
	}

	private requireOpen(): string {
		if (!this.folderId)
			throw new MailCasesError('CONNECTION_LOST', `${this.description} is not open.`);
		return this.folderId;
	}

	private async move(
		key: string,
		destinationId: string,
		what: string,
		notFound?: () => Error,
	): Promise<void> {
		await this.client.request({
			method: 'POST',
			path: this.messagePath(key, '/move'),
			json: { destinationId },
			what,
			permission: 'Mail.ReadWrite',
			notFound,
		});
	}

	private async patch(
		key: string,
		changes: Record<string, unknown>,
		what: string,
		notFound?: () => Error,
	): Promise<void> {
		await this.client.request({
			method: 'PATCH',
			path: this.messagePath(key),
			json: changes,
			what,
			permission: 'Mail.ReadWrite',
			notFound,
		});
	}

	private async exists(key: string): Promise<boolean> {
		const response = await this.client.request({
			method: 'GET',
			path: this.messagePath(key),
			query: { $select: 'id' },
			what: `checking mail ${key}`,
			permission: 'Mail.ReadWrite',
			accept: [404],
		});
		return response.status !== 404;
	}

	/** Fresh categories, so a user's own categories set meanwhile are kept. */
	private async categoriesOf(key: string, notFound?: () => Error): Promise<string[]> {
		const message = await this.client.json<ListedMessage>({
			method: 'GET',
			path: this.messagePath(key),
			query: { $select: 'categories' },
			what: `reading the categories of mail ${key}`,
			permission: 'Mail.ReadWrite',
			notFound,
		});
		return message.categories ?? [];
	}

	/** Starts a delta round for new mail in the folder and keeps its deltaLink. */
	private async startDelta(): Promise<void> {
		// Only mail received from shortly before now: the first round stays small in a big folder.
		const since = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
		const round = await this.drainDelta({
			path: `${this.user}/mailFolders/${encodeURIComponent(this.folderId!)}/messages/delta`,
			query: { changeType: 'created', $select: 'id', $filter: `receivedDateTime ge ${since}` },
		});
		this.deltaLink = round.link;
	}

	/** Runs one delta round to its deltaLink; counts the messages it reported. */
	private async drainDelta(start: {
		path: string;
		query?: Record<string, string>;
	}): Promise<{ link?: string; news: number }> {
		const pages = this.client.pages<{ id: string; '@removed'?: unknown }>({
			method: 'GET',
			path: start.path,
			query: start.query,
			headers: { Prefer: 'odata.maxpagesize=50' },
			what: `checking folder ${this.folder} for new mail`,
			permission: 'Mail.ReadWrite',
		});
		let result = await pages.next();
		let news = 0;
		while (!result.done) {
			news += result.value.filter((item) => !item['@removed']).length;
			result = await pages.next();
		}
		return { link: result.value, news };
	}

	/** True when the delta query reports mail created in the folder since the last check. */
	private async deltaHasNews(): Promise<boolean> {
		if (!this.deltaLink) {
			await this.startDelta().catch(() => undefined);
			return true; // cannot tell: look at the folder
		}
		try {
			const round = await this.drainDelta({ path: this.deltaLink });
			this.deltaLink = round.link;
			return round.news > 0;
		} catch (error) {
			if (
				isMailCasesError(error) &&
				(error.code === 'NOT_FOUND' || error.code === 'PROTOCOL_ERROR')
			) {
				// 410 Gone / syncStateNotFound / resyncRequired: the delta token expired. A new round
				// starts now, before the listing this wake-up causes, so nothing falls in between.
				this.deltaLink = undefined;
				await this.startDelta().catch(() => undefined);
				return true;
			}
			throw error;
		}
	}
}

/** The message's categories without ours (fail counts; with `all` also done/quarantined). */
function withoutOurs(categories: string[], all: boolean): string[] {
	return categories.filter(
		(c) =>
			!c.startsWith(FAIL_CATEGORY_PREFIX) &&
			(!all || (c !== DONE_CATEGORY && c !== QUARANTINE_CATEGORY)),
	);
}
