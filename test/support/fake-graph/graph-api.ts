import { randomBytes } from 'node:crypto';
import { graphError, json, send, type Exchange } from './http';
import type { IdentityHost, IssuedToken } from './identity';
import { verifyHs256 } from './jwt';
import { newId, type FakeFolder, type FakeMailbox, type FakeMessage } from './mail-store';
import {
	ODataError,
	filterFolders,
	filterMessages,
	folderJson,
	messageJson,
	orderMessages,
	topOf,
} from './odata';

/**
 * Microsoft Graph v1.0 mail API, written from the documentation; response shapes follow the
 * examples on these pages (https://learn.microsoft.com/graph/api/<page>):
 * - user-list-messages: GET …/mailFolders/{id}/messages, $top (1–1000, default 10), $select,
 *   $orderby, paging through @odata.nextLink that carries $skip
 * - message-delta: GET …/mailFolders/{id}/messages/delta, changeType, $select,
 *   $filter=receivedDateTime ge …, Prefer: odata.maxpagesize, @odata.nextLink/$skiptoken and
 *   @odata.deltaLink/$deltatoken, "@removed" entries
 * - message-get: GET …/messages/{id}, and /$value → 200, Content-type text/plain, the MIME
 * - message-update: PATCH isRead, categories, singleValueExtendedProperties
 *   (resources/extended-properties-overview for the id formats)
 * - message-move: POST …/move {destinationId: id or well-known name} → 201 + the moved message
 *   (a new copy, so a new id)
 * - message-delete: DELETE → 204; message-permanentdelete: POST …/permanentDelete → 204
 * - user-list-mailfolders / mailfolder-list-childfolders (+ includeHiddenFolders, $filter on
 *   displayName), user-post-mailfolders / mailfolder-post-childfolders → 201
 * - user-post-messages: POST …/messages with text/plain base64 MIME → 201 draft
 * - message-post-attachments: POST …/attachments fileAttachment (under 3 MB) → 201
 * - attachment-createuploadsession + /graph/outlook-large-attachments: 201 uploadSession,
 *   then PUT byte ranges to the pre-authenticated uploadUrl (200 nextExpectedRanges; last: 201
 *   with Location, empty body); ErrorAttachmentSizeShouldNotBeLessThanMinimumSize below 3 MB
 * - message-send: POST …/send → 202
 * - user-sendmail: text/plain base64 MIME or JSON → 202 without body; malformed base64 → 400
 *   ErrorMimeContentInvalidBase64String
 * Errors: /graph/errors (body shape, 401/403/404/410/413/416/429/503), /graph/throttling
 * (429 + Retry-After, code TooManyRequests).
 * Stand-in choices the pages do not fix: 401 InvalidAuthenticationToken and 403
 * ErrorAccessDenied texts, 404 ErrorInvalidUser / MailboxNotEnabledForRESTAPI for mailboxes
 * (Exchange's codes as seen in practice), 413 code RequestEntityTooLarge, 410
 * SyncStateNotFound for an expired delta token, and the upload URL on this origin (the real one
 * points to outlook.office.com).
 */
export interface UploadSession {
	id: string;
	authtoken: string;
	mailbox: FakeMailbox;
	messageId: string;
	name: string;
	contentType: string;
	isInline: boolean;
	contentId?: string;
	size: number;
	chunks: Buffer[];
	next: number;
	expires: string;
}

export interface GraphHost extends IdentityHost {
	readonly mailboxes: FakeMailbox[];
	readonly uploads: Map<string, UploadSession>;
	deltaGeneration: number;
	/** Largest request body Graph takes (4 MB); upload-session PUTs are exempt. */
	maxRequestBytes: number;
}

const UPLOAD_MIN = 3 * 1024 * 1024;
const UPLOAD_MAX = 150 * 1024 * 1024;

type Need = 'read' | 'write' | 'send';

function authenticate(host: GraphHost, ex: Exchange): IssuedToken | undefined {
	const header = String(ex.req.headers.authorization ?? '');
	const unauthorized = (message: string) => {
		graphError(ex, 401, 'InvalidAuthenticationToken', message, {
			'WWW-Authenticate': `Bearer realm="", authorization_uri="${host.origin}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
		});
		return undefined;
	};
	const match = /^Bearer (\S+)$/.exec(header);
	if (!match) return unauthorized('Access token is empty.');
	const claims = verifyHs256(match[1], host.signingKey);
	if (!claims) return unauthorized('IDX14100: JWT is not well formed.');
	if (claims.aud !== host.origin)
		return unauthorized('Access token validation failure. Invalid audience.');
	const issued = host.tokens.get(String(claims.jti));
	if (!issued) return unauthorized('Access token validation failure.');
	if (issued.revoked || issued.expiresAtMs <= Date.now())
		return unauthorized('Lifetime validation failed, the token is expired.');
	return issued;
}

function allowed(token: IssuedToken, need: Need): boolean {
	const roles = new Set(token.roles);
	if (need === 'send') return roles.has('Mail.Send');
	if (need === 'write') return roles.has('Mail.ReadWrite');
	return roles.has('Mail.ReadWrite') || roles.has('Mail.Read');
}

function denied(ex: Exchange): void {
	graphError(ex, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
}

function parseJsonBody(ex: Exchange): Record<string, unknown> | undefined {
	try {
		return JSON.parse(ex.body.toString('utf8') || '{}') as Record<string, unknown>;
	} catch {
		graphError(ex, 400, 'RequestBodyRead', 'Invalid JSON in the request body.');
		return undefined;
	}
}

/** Base64 MIME of a text/plain body; answers 400 like sendMail does for malformed content. */
function mimeBody(ex: Exchange): Buffer | undefined {
	const text = ex.body.toString('latin1').trim();
	if (!text || !/^[A-Za-z0-9+/=\r\n]+$/.test(text)) {
		graphError(
			ex,
			400,
			'ErrorMimeContentInvalidBase64String',
			'Invalid base64 string for MIME content.',
		);
		return undefined;
	}
	return Buffer.from(text, 'base64');
}

function contentType(ex: Exchange): string {
	return String(ex.req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

function nextLink(ex: Exchange, changes: Record<string, string>): string {
	const url = new URL(ex.url.toString());
	for (const [name, value] of Object.entries(changes)) url.searchParams.set(name, value);
	return url.toString();
}

export function graphRoute(host: GraphHost, ex: Exchange, path: string): void {
	if (ex.body.length > host.maxRequestBytes) {
		graphError(
			ex,
			413,
			'RequestEntityTooLarge',
			`The maximum request length supported is ${host.maxRequestBytes} bytes.`,
		);
		return;
	}
	const token = authenticate(host, ex);
	if (!token) return;
	let parts: string[];
	try {
		parts = path
			.split('/')
			.filter(Boolean)
			.map((p) => decodeURIComponent(p));
	} catch {
		graphError(ex, 400, 'BadRequest', 'Malformed URL.');
		return;
	}
	if (parts[0] !== 'users' || !parts[1]) {
		graphError(ex, 400, 'BadRequest', `Resource not found for the segment '${parts[0] ?? ''}'.`);
		return;
	}
	const ref = parts[1].toLowerCase();
	const mailbox = host.mailboxes.find(
		(m) =>
			m.tenantId === token.tenantId && (m.upn.toLowerCase() === ref || m.id.toLowerCase() === ref),
	);
	if (!mailbox) {
		graphError(ex, 404, 'ErrorInvalidUser', `The requested user '${parts[1]}' is invalid.`);
		return;
	}
	if (!mailbox.restEnabled) {
		graphError(
			ex,
			404,
			'MailboxNotEnabledForRESTAPI',
			'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
		);
		return;
	}
	const need = (n: Need) => {
		if (allowed(token, n)) return true;
		denied(ex);
		return false;
	};
	try {
		route(host, ex, mailbox, parts.slice(2), need);
	} catch (error) {
		if (error instanceof ODataError) graphError(ex, 400, error.code, error.message);
		else throw error;
	}
}

function route(
	host: GraphHost,
	ex: Exchange,
	mailbox: FakeMailbox,
	rest: string[],
	need: (n: Need) => boolean,
): void {
	const method = ex.req.method ?? 'GET';
	const q = ex.url.searchParams;
	const [head, ...tail] = rest;
	if (head === 'sendMail' && tail.length === 0 && method === 'POST') {
		if (!need('send')) return;
		return sendMail(ex, mailbox);
	}
	if (head === 'mailFolders') {
		if (tail.length === 0) return folderCollection(host, ex, mailbox, mailbox.rootId, need);
		const folder = mailbox.folder(tail[0]);
		if (!folder)
			return graphError(
				ex,
				404,
				'ErrorItemNotFound',
				'The specified object was not found in the store.',
			);
		if (tail.length === 1 && method === 'GET') {
			if (!need('read')) return;
			return json(ex, 200, folderJson(mailbox, folder, q));
		}
		if (tail[1] === 'childFolders' && tail.length === 2)
			return folderCollection(host, ex, mailbox, folder.id, need);
		if (tail[1] === 'messages') {
			if (tail.length === 2 && method === 'GET') {
				if (!need('read')) return;
				return listMessages(host, ex, mailbox, mailbox.inFolder(folder.id));
			}
			if (tail[2] === 'delta' && tail.length === 3 && method === 'GET') {
				if (!need('read')) return;
				return delta(host, ex, mailbox, folder);
			}
			if (tail.length >= 3) {
				const message = mailbox.messages.get(tail[2]);
				if (!message || message.folderId !== folder.id)
					return graphError(
						ex,
						404,
						'ErrorItemNotFound',
						'The specified object was not found in the store.',
					);
				return messageRoute(host, ex, mailbox, message, tail.slice(3), need);
			}
		}
		return graphError(ex, 400, 'BadRequest', 'Unsupported mail folder request.');
	}
	if (head === 'messages') {
		if (tail.length === 0 && method === 'POST') {
			if (!need('write')) return;
			return createDraft(host, ex, mailbox);
		}
		if (tail.length === 0 && method === 'GET') {
			if (!need('read')) return;
			return listMessages(host, ex, mailbox, [...mailbox.messages.values()]);
		}
		const message = mailbox.messages.get(tail[0]);
		if (!message)
			return graphError(
				ex,
				404,
				'ErrorItemNotFound',
				'The specified object was not found in the store.',
			);
		return messageRoute(host, ex, mailbox, message, tail.slice(1), need);
	}
	graphError(ex, 400, 'BadRequest', `Resource not found for the segment '${head ?? ''}'.`);
}

function folderCollection(
	host: GraphHost,
	ex: Exchange,
	mailbox: FakeMailbox,
	parentId: string,
	need: (n: Need) => boolean,
): void {
	const method = ex.req.method;
	const q = ex.url.searchParams;
	if (method === 'GET') {
		if (!need('read')) return;
		const includeHidden = q.get('includeHiddenFolders') === 'true';
		const all = filterFolders(
			mailbox.children(parentId).filter((f) => includeHidden || !f.isHidden),
			q.get('$filter'),
		);
		const top = topOf(q, 10);
		const skip = Number(q.get('$skip') ?? 0);
		const page = all.slice(skip, skip + top);
		const body: Record<string, unknown> = {
			'@odata.context': `${host.origin}/v1.0/$metadata#users('${mailbox.id}')/mailFolders`,
			value: page.map((f) => folderJson(mailbox, f, q)),
		};
		if (skip + top < all.length)
			body['@odata.nextLink'] = nextLink(ex, { $skip: String(skip + top) });
		return json(ex, 200, body);
	}
	if (method === 'POST') {
		if (!need('write')) return;
		const body = parseJsonBody(ex);
		if (!body) return;
		const name = typeof body.displayName === 'string' ? body.displayName.trim() : '';
		if (!name) return graphError(ex, 400, 'ErrorInvalidRequest', 'displayName is required.');
		if (
			mailbox.children(parentId).some((f) => f.displayName.toLowerCase() === name.toLowerCase())
		) {
			return graphError(
				ex,
				409,
				'ErrorFolderExists',
				'A folder with the specified name already exists.',
			);
		}
		const folder = mailbox.createFolder(parentId, name, body.isHidden === true);
		return json(ex, 201, folderJson(mailbox, folder, new URLSearchParams()));
	}
	graphError(ex, 405, 'ErrorInvalidRequest', 'Method not allowed.');
}

function listMessages(
	host: GraphHost,
	ex: Exchange,
	mailbox: FakeMailbox,
	messages: FakeMessage[],
): void {
	const q = ex.url.searchParams;
	const all = orderMessages(filterMessages(messages, q.get('$filter')), q.get('$orderby'));
	const top = topOf(q, 10);
	const skip = Number(q.get('$skip') ?? 0);
	const page = all.slice(skip, skip + top);
	const body: Record<string, unknown> = {
		'@odata.context': `${host.origin}/v1.0/$metadata#users('${mailbox.id}')/messages`,
		value: page.map((m) => messageJson(mailbox, m, q, host.origin)),
	};
	// Paging per user-list-messages: the nextLink carries $skip.
	if (skip + top < all.length)
		body['@odata.nextLink'] = nextLink(ex, { $skip: String(skip + top) });
	json(ex, 200, body);
}

interface DeltaState {
	g: number;
	f: string;
	/** Last change sequence included (end of the round). */
	seq: number;
	/** Incremental rounds: changes after this sequence; initial round: undefined. */
	from?: number;
	ct?: string;
	sel?: string;
	flt?: string;
	off: number;
}

const encodeState = (s: DeltaState) => Buffer.from(JSON.stringify(s)).toString('base64url');
const decodeState = (t: string) =>
	JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as DeltaState;

function delta(host: GraphHost, ex: Exchange, mailbox: FakeMailbox, folder: FakeFolder): void {
	const q = ex.url.searchParams;
	const token = q.get('$deltatoken') ?? q.get('$skiptoken');
	let state: DeltaState;
	if (token) {
		try {
			state = decodeState(token);
		} catch {
			return graphError(ex, 400, 'BadRequest', 'Invalid state token.');
		}
		if (state.g !== host.deltaGeneration || state.f !== folder.id) {
			return graphError(ex, 410, 'SyncStateNotFound', 'The sync state generation is not found.');
		}
		if (q.get('$deltatoken'))
			state = { ...state, from: state.seq, seq: mailbox.currentSeq, off: 0 };
	} else {
		const ct = q.get('changeType') ?? undefined;
		if (ct && !['created', 'updated', 'deleted'].includes(ct))
			return graphError(ex, 400, 'BadRequest', `Invalid changeType '${ct}'.`);
		state = {
			g: host.deltaGeneration,
			f: folder.id,
			seq: mailbox.currentSeq,
			ct,
			sel: q.get('$select') ?? undefined,
			flt: q.get('$filter') ?? undefined,
			off: 0,
		};
	}
	const select = new URLSearchParams();
	if (state.sel) select.set('$select', state.sel);
	let items: Array<Record<string, unknown>>;
	if (state.from === undefined) {
		items =
			state.ct === 'deleted' || state.ct === 'updated'
				? []
				: filterMessages(mailbox.inFolder(folder.id), state.flt ?? null).map((m) =>
						messageJson(mailbox, m, select, host.origin),
					);
	} else {
		const firstKind = new Map<string, string>();
		const lastKind = new Map<string, string>();
		for (const event of mailbox.eventsAfter(folder.id, state.from)) {
			if (event.seq > state.seq) break;
			if (!firstKind.has(event.messageId)) firstKind.set(event.messageId, event.kind);
			lastKind.set(event.messageId, event.kind);
		}
		items = [];
		for (const [id, last] of lastKind) {
			const first = firstKind.get(id);
			const message = mailbox.messages.get(id);
			if (last === 'deleted' || !message || message.folderId !== folder.id) {
				if (first !== 'created' && (!state.ct || state.ct === 'deleted'))
					items.push({
						'@odata.type': '#microsoft.graph.message',
						id,
						'@removed': { reason: 'deleted' },
					});
				continue;
			}
			const kind = first === 'created' ? 'created' : 'updated';
			if (state.ct && state.ct !== kind) continue;
			if (filterMessages([message], state.flt ?? null).length)
				items.push(messageJson(mailbox, message, select, host.origin));
		}
	}
	const prefer = /odata\.maxpagesize=(\d+)/.exec(String(ex.req.headers.prefer ?? ''));
	const size = prefer ? Math.max(1, Number(prefer[1])) : 10;
	const page = items.slice(state.off, state.off + size);
	const base = `${host.origin}/v1.0/users/${encodeURIComponent(mailbox.id)}/mailFolders/${encodeURIComponent(folder.id)}/messages/delta`;
	const body: Record<string, unknown> = {
		'@odata.context': `${host.origin}/v1.0/$metadata#Collection(message)`,
		value: page,
	};
	if (state.off + size < items.length)
		body['@odata.nextLink'] =
			`${base}?$skiptoken=${encodeState({ ...state, off: state.off + size })}`;
	else
		body['@odata.deltaLink'] =
			`${base}?$deltatoken=${encodeState({ ...state, from: undefined, off: 0 })}`;
	json(ex, 200, body, prefer ? { 'Preference-Applied': `odata.maxpagesize=${size}` } : {});
}

function messageRoute(
	host: GraphHost,
	ex: Exchange,
	mailbox: FakeMailbox,
	message: FakeMessage,
	rest: string[],
	need: (n: Need) => boolean,
): void {
	const method = ex.req.method;
	const q = ex.url.searchParams;
	const action = rest.join('/');
	if (action === '' && method === 'GET') {
		if (!need('read')) return;
		return json(ex, 200, messageJson(mailbox, message, q, host.origin));
	}
	if (action === '$value' && method === 'GET') {
		if (!need('read')) return;
		return send(ex, 200, message.raw, { 'Content-Type': 'text/plain' });
	}
	if (!need('write')) return;
	if (action === '' && method === 'PATCH') {
		const body = parseJsonBody(ex);
		if (!body) return;
		if (typeof body.isRead === 'boolean') message.isRead = body.isRead;
		if (Array.isArray(body.categories)) message.categories = body.categories.map(String);
		if (Array.isArray(body.singleValueExtendedProperties)) {
			for (const prop of body.singleValueExtendedProperties as Array<{
				id?: unknown;
				value?: unknown;
			}>) {
				if (
					typeof prop.id !== 'string' ||
					!/^\w+ \{[0-9a-f-]{36}\} (Name|Id) \S+$/i.test(prop.id)
				) {
					return graphError(
						ex,
						400,
						'ErrorInvalidExtendedPropertyValue',
						`Invalid extended property id '${String(prop.id)}'.`,
					);
				}
				message.properties.set(prop.id, String(prop.value ?? ''));
			}
		}
		mailbox.touch(message);
		return json(ex, 200, messageJson(mailbox, message, new URLSearchParams(), host.origin));
	}
	if (action === '' && method === 'DELETE') {
		// Soft delete: into Recoverable Items\Deletions, no longer visible in any mail folder.
		mailbox.move(message, mailbox.folder('recoverableitemsdeletions')!.id);
		return send(ex, 204);
	}
	if (action === 'move' && method === 'POST') {
		const body = parseJsonBody(ex);
		if (!body) return;
		const destination =
			typeof body.destinationId === 'string' ? mailbox.folder(body.destinationId) : undefined;
		if (!destination || destination.id === mailbox.rootId)
			return graphError(
				ex,
				404,
				'ErrorItemNotFound',
				'The specified object was not found in the store.',
			);
		const moved = mailbox.move(message, destination.id);
		return json(ex, 201, messageJson(mailbox, moved, new URLSearchParams(), host.origin));
	}
	if (action === 'permanentDelete' && method === 'POST') {
		mailbox.purge(message);
		return send(ex, 204);
	}
	if (action === 'send' && method === 'POST') {
		if (!need('send')) return;
		if (!message.isDraft)
			return graphError(ex, 400, 'ErrorInvalidOperation', 'Only draft messages can be sent.');
		mailbox.sent.push({
			kind: 'draft',
			mime: message.raw,
			attachments: [...message.attachments],
			at: Date.now(),
		});
		const sentItems = mailbox.move(message, mailbox.folder('sentitems')!.id);
		sentItems.isDraft = false;
		return send(ex, 202);
	}
	if (action === 'attachments' && method === 'POST') {
		const body = parseJsonBody(ex);
		if (!body) return;
		if (
			body['@odata.type'] !== '#microsoft.graph.fileAttachment' ||
			typeof body.name !== 'string' ||
			typeof body.contentBytes !== 'string'
		) {
			return graphError(
				ex,
				400,
				'ErrorInvalidRequest',
				'A fileAttachment with name and contentBytes is required.',
			);
		}
		const id = newId('AAMkAtt');
		message.attachments.push({
			name: body.name,
			contentType: String(body.contentType ?? 'application/octet-stream'),
			content: Buffer.from(body.contentBytes, 'base64'),
			isInline: body.isInline === true,
			contentId: typeof body.contentId === 'string' ? body.contentId : undefined,
			via: 'post',
		});
		mailbox.touch(message);
		return json(ex, 201, {
			'@odata.type': '#microsoft.graph.fileAttachment',
			id,
			name: body.name,
			contentType: body.contentType,
			size: Buffer.from(body.contentBytes, 'base64').length,
			isInline: body.isInline === true,
		});
	}
	if (action === 'attachments/createUploadSession' && method === 'POST') {
		const body = parseJsonBody(ex);
		if (!body) return;
		const item = (body.AttachmentItem ?? {}) as Record<string, unknown>;
		const size = Number(item.size);
		if (
			item.attachmentType !== 'file' ||
			typeof item.name !== 'string' ||
			!Number.isInteger(size)
		) {
			return graphError(
				ex,
				400,
				'ErrorInvalidRequest',
				'AttachmentItem needs attachmentType file, name and size.',
			);
		}
		if (size < UPLOAD_MIN) {
			return graphError(
				ex,
				400,
				'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
				'Attachment size should not be less than the minimum size of 3 MB; use a POST on attachments instead.',
			);
		}
		if (size > UPLOAD_MAX)
			return graphError(
				ex,
				400,
				'ErrorAttachmentSizeShouldNotExceedMaximumSize',
				'Attachment size exceeds the maximum of 150 MB.',
			);
		const session: UploadSession = {
			id: randomBytes(12).toString('hex'),
			authtoken: randomBytes(24).toString('base64url'),
			mailbox,
			messageId: message.id,
			name: item.name,
			contentType:
				typeof item.contentType === 'string' ? item.contentType : 'application/octet-stream',
			isInline: item.isInline === true,
			contentId: typeof item.contentId === 'string' ? item.contentId : undefined,
			size,
			chunks: [],
			next: 0,
			expires: new Date(Date.now() + 15 * 60_000).toISOString(),
		};
		host.uploads.set(session.id, session);
		return json(ex, 201, {
			'@odata.context': `${host.origin}/v1.0/$metadata#microsoft.graph.uploadSession`,
			uploadUrl: `${host.origin}/upload/AttachmentSessions('${session.id}')?authtoken=${session.authtoken}`,
			expirationDateTime: session.expires,
			nextExpectedRanges: ['0-'],
		});
	}
	graphError(ex, 400, 'BadRequest', `Unsupported message request '${action}'.`);
}

function sendMail(ex: Exchange, mailbox: FakeMailbox): void {
	const type = contentType(ex);
	if (type === 'text/plain') {
		const mime = mimeBody(ex);
		if (!mime) return;
		mailbox.sent.push({ kind: 'mime', mime, attachments: [], at: Date.now() });
		mailbox.seed(mime, { folder: 'sentitems', isRead: true });
		return send(ex, 202);
	}
	if (type === 'application/json') {
		const body = parseJsonBody(ex);
		if (!body) return;
		if (!body.message || typeof body.message !== 'object')
			return graphError(ex, 400, 'ErrorInvalidRequest', 'The message parameter is required.');
		mailbox.sent.push({ kind: 'json', json: body, attachments: [], at: Date.now() });
		return send(ex, 202);
	}
	graphError(
		ex,
		415,
		'UnsupportedMediaType',
		`Content-Type '${type}' is not supported; use application/json or text/plain (MIME).`,
	);
}

function createDraft(host: GraphHost, ex: Exchange, mailbox: FakeMailbox): void {
	const type = contentType(ex);
	let raw: Buffer;
	if (type === 'text/plain') {
		const mime = mimeBody(ex);
		if (!mime) return;
		raw = mime;
	} else if (type === 'application/json') {
		const body = parseJsonBody(ex);
		if (!body) return;
		raw = Buffer.from(
			`Subject: ${String(body.subject ?? '')}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${String((body.body as { content?: unknown })?.content ?? '')}\r\n`,
		);
	} else {
		return graphError(ex, 415, 'UnsupportedMediaType', `Content-Type '${type}' is not supported.`);
	}
	const id = mailbox.seed(raw, { folder: 'drafts', isRead: true, isDraft: true });
	json(
		ex,
		201,
		messageJson(mailbox, mailbox.messages.get(id)!, new URLSearchParams(), host.origin),
	);
}

/** PUT/DELETE on a pre-authenticated upload URL (outlook-large-attachments, steps 2–3). */
export function uploadRoute(host: GraphHost, ex: Exchange, sessionId: string): void {
	const session = host.uploads.get(sessionId);
	if (!session || ex.url.searchParams.get('authtoken') !== session.authtoken) {
		return graphError(ex, 404, 'uploadSessionNotFound', 'Upload session not found.');
	}
	if (ex.req.method === 'DELETE') {
		host.uploads.delete(sessionId);
		return send(ex, 204);
	}
	if (ex.req.method !== 'PUT') return graphError(ex, 405, 'BadRequest', 'Use PUT.');
	const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(ex.req.headers['content-range'] ?? ''));
	if (!range) return graphError(ex, 400, 'invalidRequest', 'Content-Range header is required.');
	const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
	if (total !== session.size)
		return graphError(
			ex,
			400,
			'fragmentLengthMismatch',
			'Declared total size for this fragment is different from that of the upload session.',
		);
	if (start !== session.next)
		return graphError(ex, 416, 'invalidRange', 'Uploaded fragment is out of order.');
	if (end < start || end >= total || ex.body.length !== end - start + 1)
		return graphError(ex, 400, 'invalidRange', 'The fragment length does not match Content-Range.');
	session.chunks.push(ex.body);
	session.next = end + 1;
	if (session.next < session.size) {
		return json(ex, 200, {
			expirationDateTime: session.expires,
			nextExpectedRanges: [`${session.next}`],
		});
	}
	host.uploads.delete(sessionId);
	const message = session.mailbox.messages.get(session.messageId);
	if (!message)
		return graphError(
			ex,
			404,
			'ErrorItemNotFound',
			'The message of this upload session no longer exists.',
		);
	const attachmentId = newId('AAMkAtt');
	message.attachments.push({
		name: session.name,
		contentType: session.contentType,
		content: Buffer.concat(session.chunks),
		isInline: session.isInline,
		contentId: session.contentId,
		via: 'uploadSession',
	});
	session.mailbox.touch(message);
	send(ex, 201, undefined, {
		Location: `${host.origin}/api/v2.0/Users('${session.mailbox.id}@${session.mailbox.tenantId}')/Messages('${message.id}')/Attachments('${attachmentId}')`,
	});
}
