import { MailCasesError } from '../../errors';
import type { GraphClient } from './graph-client';

/**
 * Mail folders by name. A folder is given as a well-known name (`inbox`, `deleteditems`, …, see
 * https://learn.microsoft.com/graph/api/resources/mailfolder) or as a display-name path
 * (`Inbox/Support`, `Quarantine`): the first segment may be well-known, the others are child
 * folders found by display name.
 */
export const WELL_KNOWN_FOLDERS = new Set([
	'archive',
	'clutter',
	'conflicts',
	'conversationhistory',
	'deleteditems',
	'drafts',
	'inbox',
	'junkemail',
	'localfailures',
	'msgfolderroot',
	'outbox',
	'recoverableitemsdeletions',
	'scheduled',
	'searchfolders',
	'sentitems',
	'serverfailures',
	'syncissues',
]);

export interface MailFolder {
	id: string;
	displayName: string;
	totalItemCount?: number;
	unreadItemCount?: number;
	childFolderCount?: number;
}

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

function segments(path: string): string[] {
	const parts = path
		.split('/')
		.map((s) => s.trim())
		.filter(Boolean);
	if (!parts.length) throw new MailCasesError('INVALID_INPUT', `Folder "${path}" is empty.`);
	return parts;
}

export class GraphFolders {
	private readonly ids = new Map<string, string>();

	constructor(private readonly client: GraphClient) {}

	private folderNotFound(path: string) {
		return new MailCasesError(
			'MAILBOX_NOT_FOUND',
			`Folder "${path}" does not exist in mailbox "${this.client.profile.mailbox.trim()}". Check the folder name (a path like Inbox/Support, or a well-known name like inbox).`,
			{ details: { folder: path } },
		);
	}

	/** Reads a folder (id, name, counts). Throws MAILBOX_NOT_FOUND when it does not exist. */
	async get(path: string): Promise<MailFolder> {
		const id = await this.resolve(path, false);
		if (!id) throw this.folderNotFound(path);
		return this.client.json<MailFolder>({
			method: 'GET',
			path: `${this.client.userPath}/mailFolders/${encodeURIComponent(id)}`,
			query: { $select: 'id,displayName,totalItemCount,unreadItemCount,childFolderCount' },
			what: `reading folder "${path}"`,
			permission: 'Mail.ReadWrite',
			notFound: () => this.folderNotFound(path),
		});
	}

	/** The folder id (or well-known name usable as id); undefined when missing and `create` is false. */
	async resolve(path: string, create: boolean): Promise<string | undefined> {
		const key = path.trim().toLowerCase();
		const cached = this.ids.get(key);
		if (cached) return cached;
		const parts = segments(path);
		let parent: string | undefined;
		for (let i = 0; i < parts.length; i++) {
			const name = parts[i];
			if (i === 0 && WELL_KNOWN_FOLDERS.has(name.toLowerCase())) {
				parent = name.toLowerCase();
				continue;
			}
			let id = await this.findChild(parent, name);
			if (!id) {
				if (!create) return undefined;
				id = await this.createChild(parent, name);
			}
			parent = id;
		}
		this.ids.set(key, parent!);
		return parent;
	}

	/** Forgets resolved ids (a folder may have been deleted or renamed). */
	reset(): void {
		this.ids.clear();
	}

	private collection(parent: string | undefined): string {
		return parent
			? `${this.client.userPath}/mailFolders/${encodeURIComponent(parent)}/childFolders`
			: `${this.client.userPath}/mailFolders`;
	}

	private async findChild(parent: string | undefined, name: string): Promise<string | undefined> {
		const pages = this.client.pages<MailFolder>({
			method: 'GET',
			path: this.collection(parent),
			query: {
				$filter: `displayName eq ${odataString(name)}`,
				$select: 'id,displayName',
				includeHiddenFolders: 'true',
			},
			what: `looking up folder "${name}"`,
			permission: 'Mail.ReadWrite',
		});
		for await (const page of pages) {
			const found = page.find((f) => f.displayName.toLowerCase() === name.toLowerCase());
			if (found) return found.id;
		}
		return undefined;
	}

	private async createChild(parent: string | undefined, name: string): Promise<string> {
		const response = await this.client.request({
			method: 'POST',
			path: this.collection(parent),
			json: { displayName: name, isHidden: false },
			what: `creating folder "${name}"`,
			permission: 'Mail.ReadWrite',
			accept: [409],
		});
		if (response.status === 409) {
			// Created meanwhile by someone else (ErrorFolderExists): use that one.
			const id = await this.findChild(parent, name);
			if (id) return id;
			throw new MailCasesError(
				'CONFLICT',
				`Folder "${name}" exists but could not be found by its name.`,
			);
		}
		return (JSON.parse(response.body.toString('utf8')) as MailFolder).id;
	}
}
