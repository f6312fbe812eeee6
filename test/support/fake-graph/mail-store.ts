import { randomBytes } from 'node:crypto';

/**
 * In-memory Exchange mailboxes for the Graph stand-in: folders (with the well-known names of
 * https://learn.microsoft.com/graph/api/resources/mailfolder), messages stored as raw MIME, and a
 * change log per folder for delta queries. Moving a message gives it a new id, as in Exchange
 * ("creates a new copy of the message in the destination folder", message: move).
 */
export interface FakeAttachment {
	name: string;
	contentType: string;
	content: Buffer;
	isInline: boolean;
	contentId?: string;
	/** How it arrived: single POST or an upload session. */
	via: 'post' | 'uploadSession' | 'json';
}

export interface FakeMessage {
	id: string;
	folderId: string;
	raw: Buffer;
	subject: string;
	internetMessageId: string;
	from: string;
	createdDateTime: string;
	receivedDateTime: string;
	lastModifiedDateTime: string;
	isRead: boolean;
	isDraft: boolean;
	categories: string[];
	/** Single-value extended properties set by PATCH, by id as given (compared case-insensitively). */
	properties: Map<string, string>;
	attachments: FakeAttachment[];
	/** Insertion order, tie-breaker for equal receivedDateTime. */
	order: number;
	changeKey: string;
}

export interface FakeFolder {
	id: string;
	displayName: string;
	parentFolderId: string;
	wellKnownName?: string;
	isHidden: boolean;
}

export interface FolderEvent {
	seq: number;
	messageId: string;
	kind: 'created' | 'updated' | 'deleted';
}

/** What was handed to sendMail or sent as a draft. */
export interface SentMail {
	kind: 'mime' | 'json' | 'draft';
	/** The MIME exactly as decoded from the request (mime), or the draft's MIME (draft). */
	mime?: Buffer;
	json?: unknown;
	attachments: FakeAttachment[];
	at: number;
}

const WELL_KNOWN: Array<[string, string, boolean]> = [
	['inbox', 'Inbox', false],
	['drafts', 'Drafts', false],
	['sentitems', 'Sent Items', false],
	['deleteditems', 'Deleted Items', false],
	['junkemail', 'Junk Email', false],
	['archive', 'Archive', false],
	['outbox', 'Outbox', false],
	['recoverableitemsdeletions', 'Deletions', true],
];

export const newId = (prefix: string) => `${prefix}${randomBytes(30).toString('base64url')}=`;

function headerValue(raw: Buffer, name: string): string {
	const text = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
	const end = text.search(/\r?\n\r?\n/);
	const head = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
	const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
	return match ? match[1].trim() : '';
}

export class FakeMailbox {
	readonly folders = new Map<string, FakeFolder>();
	readonly messages = new Map<string, FakeMessage>();
	readonly events = new Map<string, FolderEvent[]>();
	readonly sent: SentMail[] = [];
	readonly rootId = newId('AQMkRoot');
	private seq = 0;
	private order = 0;
	private clock = 0;

	constructor(
		readonly upn: string,
		readonly id: string,
		readonly tenantId: string,
		/** false: answers like a mailbox without Exchange Online (MailboxNotEnabledForRESTAPI). */
		public restEnabled = true,
	) {
		for (const [wellKnownName, displayName, isHidden] of WELL_KNOWN) {
			const folder: FakeFolder = {
				id: newId('AQMk'),
				displayName,
				parentFolderId: this.rootId,
				wellKnownName,
				isHidden,
			};
			this.folders.set(folder.id, folder);
		}
	}

	get currentSeq(): number {
		return this.seq;
	}

	/** A folder by id, well-known name, or display-name path (Inbox/Support). */
	folder(ref: string): FakeFolder | undefined {
		const byId = this.folders.get(ref);
		if (byId) return byId;
		const lower = ref.toLowerCase();
		if (lower === 'msgfolderroot')
			return {
				id: this.rootId,
				displayName: 'Top of Information Store',
				parentFolderId: '',
				isHidden: false,
			};
		for (const folder of this.folders.values()) if (folder.wellKnownName === lower) return folder;
		let parent = this.rootId;
		let found: FakeFolder | undefined;
		for (const part of ref.split('/')) {
			found = this.children(parent).find(
				(f) =>
					f.displayName.toLowerCase() === part.toLowerCase() ||
					f.wellKnownName === part.toLowerCase(),
			);
			if (!found) return undefined;
			parent = found.id;
		}
		return found;
	}

	children(parentId: string): FakeFolder[] {
		return [...this.folders.values()].filter((f) => f.parentFolderId === parentId);
	}

	createFolder(parentId: string, displayName: string, isHidden = false): FakeFolder {
		const folder: FakeFolder = {
			id: newId('AQMk'),
			displayName,
			parentFolderId: parentId,
			isHidden,
		};
		this.folders.set(folder.id, folder);
		return folder;
	}

	inFolder(folderId: string): FakeMessage[] {
		return [...this.messages.values()].filter((m) => m.folderId === folderId);
	}

	/** Messages of a folder by reference, oldest first. */
	list(ref = 'inbox'): FakeMessage[] {
		const folder = this.folder(ref);
		if (!folder) return [];
		return this.inFolder(folder.id).sort(
			(a, b) => a.receivedDateTime.localeCompare(b.receivedDateTime) || a.order - b.order,
		);
	}

	private log(folderId: string, messageId: string, kind: FolderEvent['kind']): void {
		const list = this.events.get(folderId) ?? [];
		list.push({ seq: ++this.seq, messageId, kind });
		this.events.set(folderId, list);
	}

	/** Puts a raw MIME message into a folder (like delivery). Returns its id. */
	seed(
		raw: Buffer,
		options: {
			folder?: string;
			receivedDateTime?: string;
			isRead?: boolean;
			categories?: string[];
			isDraft?: boolean;
		} = {},
	): string {
		const folder = this.folder(options.folder ?? 'inbox');
		if (!folder) throw new Error(`no folder ${options.folder}`);
		// Real time at second precision (as Graph reports it), one second apart per seeded mail so
		// the order is unambiguous.
		this.clock = Math.max(Math.floor(Date.now() / 1000) * 1000, this.clock + 1000);
		const now =
			options.receivedDateTime ?? new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
		const message: FakeMessage = {
			id: newId('AAMk'),
			folderId: folder.id,
			raw,
			subject: headerValue(raw, 'Subject'),
			internetMessageId: headerValue(raw, 'Message-ID'),
			from: headerValue(raw, 'From'),
			createdDateTime: now,
			receivedDateTime: now,
			lastModifiedDateTime: now,
			isRead: options.isRead ?? false,
			isDraft: options.isDraft ?? false,
			categories: [...(options.categories ?? [])],
			properties: new Map(),
			attachments: [],
			order: ++this.order,
			changeKey: randomBytes(8).toString('base64url'),
		};
		this.messages.set(message.id, message);
		this.log(folder.id, message.id, 'created');
		return message.id;
	}

	touch(message: FakeMessage): void {
		message.lastModifiedDateTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
		message.changeKey = randomBytes(8).toString('base64url');
		this.log(message.folderId, message.id, 'updated');
	}

	/** Moves a message: the copy in the destination gets a new id. */
	move(message: FakeMessage, folderId: string): FakeMessage {
		this.messages.delete(message.id);
		this.log(message.folderId, message.id, 'deleted');
		const moved: FakeMessage = {
			...message,
			id: newId('AAMk'),
			folderId,
			order: ++this.order,
			properties: new Map(message.properties),
		};
		this.messages.set(moved.id, moved);
		this.log(folderId, moved.id, 'created');
		return moved;
	}

	purge(message: FakeMessage): void {
		this.messages.delete(message.id);
		this.log(message.folderId, message.id, 'deleted');
	}

	eventsAfter(folderId: string, seq: number): FolderEvent[] {
		return (this.events.get(folderId) ?? []).filter((e) => e.seq > seq);
	}
}
