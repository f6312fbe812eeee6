import type { FakeFolder, FakeMailbox, FakeMessage } from './mail-store';

/**
 * The OData query options the stand-in understands (learn.microsoft.com/graph/query-parameters),
 * for mail: $select, $top, $skip, $orderby receivedDateTime, $filter on receivedDateTime /
 * displayName / categories / isRead, $expand singleValueExtendedProperties($filter=id eq '…').
 */
export class ODataError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

export function messageJson(
	mailbox: FakeMailbox,
	message: FakeMessage,
	query: URLSearchParams,
	origin: string,
): Record<string, unknown> {
	const full: Record<string, unknown> = {
		'@odata.etag': `W/"${message.changeKey}"`,
		id: message.id,
		createdDateTime: message.createdDateTime,
		lastModifiedDateTime: message.lastModifiedDateTime,
		changeKey: message.changeKey,
		categories: [...message.categories],
		receivedDateTime: message.receivedDateTime,
		sentDateTime: message.receivedDateTime,
		hasAttachments:
			message.attachments.length > 0 ||
			/content-disposition:\s*attachment/i.test(message.raw.toString('latin1')),
		internetMessageId: message.internetMessageId,
		subject: message.subject,
		bodyPreview: '',
		importance: 'normal',
		parentFolderId: message.folderId,
		conversationId: 'AAQk' + message.id.slice(4, 20),
		isRead: message.isRead,
		isDraft: message.isDraft,
		webLink: `${origin}/owa/?ItemID=${encodeURIComponent(message.id)}`,
		from: { emailAddress: { address: message.from.replace(/^.*<|>.*$/g, '') } },
	};
	const select = query.get('$select');
	let out: Record<string, unknown> = full;
	if (select) {
		out = { '@odata.etag': full['@odata.etag'], id: message.id };
		for (const name of select
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean)) {
			if (name in full) out[name] = full[name];
		}
	}
	const expand = query.get('$expand');
	if (expand) {
		const match = /^singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)$/i.exec(
			expand.trim(),
		);
		if (!match)
			throw new ODataError(
				'ErrorInvalidUrlQuery',
				`The $expand '${expand}' is not supported here.`,
			);
		const id = match[1];
		const value = extendedProperty(message, id);
		if (value !== undefined) out.singleValueExtendedProperties = [{ id, value }];
	}
	void mailbox;
	return out;
}

function extendedProperty(message: FakeMessage, id: string): string | undefined {
	// PidTagMessageSize (0x0E08): the size of the stored item; here the MIME size.
	if (/^integer 0x0?e08$/i.test(id.trim())) return String(message.raw.length);
	for (const [key, value] of message.properties)
		if (key.toLowerCase() === id.toLowerCase()) return value;
	return undefined;
}

/** A literal of an OData filter: 'text' (quotes doubled), a date, true/false. */
function literal(text: string): string {
	const t = text.trim();
	if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
	return t;
}

export function filterMessages(messages: FakeMessage[], filter: string | null): FakeMessage[] {
	if (!filter) return messages;
	const f = filter.trim();
	let m = /^receivedDateTime (ge|gt) (\S+)$/i.exec(f);
	if (m) {
		const op = m[1].toLowerCase();
		const bound = Date.parse(literal(m[2]));
		if (Number.isNaN(bound)) throw new ODataError('BadRequest', `Invalid date in filter: ${m[2]}`);
		return messages.filter((x) =>
			op === 'ge'
				? Date.parse(x.receivedDateTime) >= bound
				: Date.parse(x.receivedDateTime) > bound,
		);
	}
	m = /^categories\/any\((\w+):\s*\1 eq ('(?:[^']|'')*')\)$/i.exec(f);
	if (m) {
		const category = literal(m[2]);
		return messages.filter((x) => x.categories.includes(category));
	}
	m = /^isRead eq (true|false)$/i.exec(f);
	if (m) return messages.filter((x) => x.isRead === (m![1].toLowerCase() === 'true'));
	throw new ODataError(
		'ErrorInvalidUrlQueryFilter',
		`The query filter '${filter}' is not supported by the stand-in.`,
	);
}

export function orderMessages(messages: FakeMessage[], orderby: string | null): FakeMessage[] {
	const sorted = [...messages];
	const spec = (orderby ?? 'receivedDateTime desc').trim();
	const m = /^receivedDateTime(?:\s+(asc|desc))?$/i.exec(spec);
	if (!m)
		throw new ODataError(
			'BadRequest',
			`The $orderby '${orderby}' is not supported by the stand-in.`,
		);
	const desc = (m[1] ?? 'asc').toLowerCase() === 'desc';
	sorted.sort(
		(a, b) =>
			(a.receivedDateTime.localeCompare(b.receivedDateTime) || a.order - b.order) * (desc ? -1 : 1),
	);
	return sorted;
}

export function folderJson(
	mailbox: FakeMailbox,
	folder: FakeFolder,
	query: URLSearchParams,
): Record<string, unknown> {
	const items = mailbox.inFolder(folder.id);
	const full: Record<string, unknown> = {
		id: folder.id,
		displayName: folder.displayName,
		parentFolderId: folder.parentFolderId,
		childFolderCount: mailbox.children(folder.id).length,
		unreadItemCount: items.filter((m) => !m.isRead).length,
		totalItemCount: items.length,
		sizeInBytes: items.reduce((sum, m) => sum + m.raw.length, 0),
		isHidden: folder.isHidden,
	};
	const select = query.get('$select');
	if (!select) return full;
	const out: Record<string, unknown> = { id: folder.id };
	for (const name of select.split(',').map((s) => s.trim()))
		if (name in full) out[name] = full[name];
	return out;
}

export function filterFolders(folders: FakeFolder[], filter: string | null): FakeFolder[] {
	if (!filter) return folders;
	const m = /^displayName eq ('(?:[^']|'')*')$/i.exec(filter.trim());
	if (!m)
		throw new ODataError(
			'ErrorInvalidUrlQueryFilter',
			`The query filter '${filter}' is not supported by the stand-in.`,
		);
	const name = literal(m[1]);
	return folders.filter((f) => f.displayName.toLowerCase() === name.toLowerCase());
}

/** $top within Graph's bounds for messages (1..1000, default 10). */
export function topOf(query: URLSearchParams, fallback = 10): number {
	const raw = query.get('$top');
	if (raw === null) return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 1000)
		throw new ODataError('ErrorInvalidUrlQuery', `$top must be between 1 and 1000 (got ${raw}).`);
	return n;
}
