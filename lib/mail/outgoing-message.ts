import { randomUUID } from 'crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { MailCasesError } from '../errors';
import { validMailbox } from './address';
import { writableMessageId } from './message-id';

/** An address as the composer takes it. */
export interface MailAddress {
	address: string;
	name?: string;
}

export interface OutgoingAttachment {
	filename: string;
	content: Buffer;
	contentType?: string;
	/** Set for inline images referenced as cid: in the HTML. */
	cid?: string;
	/** message/rfc822 attachments (forwarded originals) keep their bytes untouched. */
	contentDisposition?: 'attachment' | 'inline';
}

/** What a node asks to send; validated and normalised by `buildOutgoingMessage`. */
export interface OutgoingMessageInput {
	from: MailAddress;
	to?: string | string[];
	cc?: string | string[];
	bcc?: string | string[];
	replyTo?: string | string[];
	subject: string;
	text?: string;
	html?: string;
	attachments?: OutgoingAttachment[];
	/** Extra header lines. Names must be RFC 5322 field names; values single-line. */
	headers?: Record<string, string>;
	inReplyTo?: string;
	references?: string | string[];
	/** Message-ID to use; generated (`<uuid@sender-domain>`) when missing. */
	messageId?: string;
}

/** A validated message, in the shape nodemailer's composer and transports take. */
export interface OutgoingMessage {
	from: MailAddress;
	to: MailAddress[];
	cc: MailAddress[];
	bcc: MailAddress[];
	replyTo: MailAddress[];
	subject: string;
	text?: string;
	html?: string;
	attachments: OutgoingAttachment[];
	headers: Record<string, string>;
	inReplyTo?: string;
	references: string[];
	messageId: string;
}

/** Headers that are set from their own parameters; a custom header must not replace them. */
const STRUCTURAL_HEADERS = new Set([
	'from',
	'to',
	'cc',
	'bcc',
	'reply-to',
	'subject',
	'message-id',
	'in-reply-to',
	'references',
	'date',
	'mime-version',
	'content-type',
	'content-transfer-encoding',
	'content-disposition',
	'sender',
	'return-path',
]);

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const LINE_BREAK = /[\r\n\u2028\u2029\0]/;

function noLineBreak(what: string, value: string): void {
	if (LINE_BREAK.test(value)) {
		throw new MailCasesError(
			'HEADER_INJECTION',
			`${what} contains a line break. Line breaks in headers could inject extra header lines, so the mail was not sent.`,
		);
	}
}

/** A value for a message: at most 100 characters (an address from a mail may be megabytes). */
function shown(value: string): string {
	return value.length > 100 ? `${value.slice(0, 100)}… (${value.length} characters)` : value;
}

function checkAddress(what: string, address: MailAddress): MailAddress {
	noLineBreak(what, address.address);
	if (address.name) noLineBreak(what, address.name);
	const addr = validMailbox(address.address);
	if (addr === null) {
		throw new MailCasesError(
			'INVALID_ADDRESS',
			`${what} "${shown(address.address.trim())}" is not one valid e-mail address (local@domain, no lists, quotes or address literals).`,
		);
	}
	return { address: addr, name: address.name?.trim() || undefined };
}

/** Parses `a@x.de, "Name" <b@y.de>` (or a list of such strings) into addresses; rejects line breaks. */
export function parseRecipients(what: string, value: string | string[] | undefined): MailAddress[] {
	if (value === undefined || value === null) return [];
	const parts = Array.isArray(value) ? value : [value];
	const result: MailAddress[] = [];
	for (const part of parts) {
		if (typeof part !== 'string' || !part.trim()) continue;
		noLineBreak(what, part);
		for (const parsed of flatten(addressparser(part))) {
			result.push(checkAddress(what, { address: parsed.address, name: parsed.name }));
		}
	}
	return result;
}

type Parsed = { address?: string; name?: string; group?: Parsed[] };

function flatten(list: Parsed[]): Array<{ address: string; name?: string }> {
	const out: Array<{ address: string; name?: string }> = [];
	for (const item of list) {
		if (item.group) out.push(...flatten(item.group));
		else out.push({ address: item.address ?? '', name: item.name });
	}
	return out;
}

function checkedMessageId(what: string, id: string): string {
	noLineBreak(what, id);
	const written = writableMessageId(id);
	if (!written) {
		throw new MailCasesError('INVALID_INPUT', `${what} "${id.trim()}" is not a valid Message-ID.`);
	}
	return written;
}

function idList(what: string, value: string | string[] | undefined): string[] {
	if (!value) return [];
	const parts = Array.isArray(value) ? value : [value];
	const ids: string[] = [];
	for (const part of parts) {
		noLineBreak(what, part);
		for (const token of part.split(/[\s,]+/)) if (token) ids.push(checkedMessageId(what, token));
	}
	return ids;
}

/** The domain part of a Message-ID we generate: the sender's domain, or `mail-cases.invalid`. */
export function messageIdDomain(fromAddress: string): string {
	return (
		(fromAddress.split('@')[1] ?? '').trim().replace(/[^A-Za-z0-9.-]/g, '') || 'mail-cases.invalid'
	);
}

/** Generates `<uuid@domain>` with the domain of the sender address. */
export function newMessageId(fromAddress: string): string {
	return `<${randomUUID()}@${messageIdDomain(fromAddress)}>`;
}

/** Validates and normalises what a node wants to send. Throws MailCasesError. */
export function buildOutgoingMessage(input: OutgoingMessageInput): OutgoingMessage {
	const from = checkAddress('Sender address', input.from);
	const to = parseRecipients('To', input.to);
	const cc = parseRecipients('CC', input.cc);
	const bcc = parseRecipients('BCC', input.bcc);
	const replyTo = parseRecipients('Reply-To', input.replyTo);
	if (to.length + cc.length + bcc.length === 0) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'The mail has no recipient. Enter at least one address in To, CC or BCC.',
		);
	}
	noLineBreak('Subject', input.subject ?? '');
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		if (!FIELD_NAME.test(name)) {
			throw new MailCasesError(
				'HEADER_INJECTION',
				`Header name "${name.replace(LINE_BREAK, '\\n')}" is not a valid header field name.`,
			);
		}
		if (STRUCTURAL_HEADERS.has(name.toLowerCase())) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Header "${name}" cannot be set as a custom header; use its own parameter.`,
			);
		}
		noLineBreak(`Header "${name}"`, String(value));
		headers[name] = String(value);
	}
	for (const attachment of input.attachments ?? [])
		noLineBreak('Attachment file name', attachment.filename);
	return {
		from,
		to,
		cc,
		bcc,
		replyTo,
		subject: input.subject ?? '',
		text: input.text || undefined,
		html: input.html || undefined,
		attachments: input.attachments ?? [],
		headers,
		inReplyTo: input.inReplyTo ? checkedMessageId('In-Reply-To', input.inReplyTo) : undefined,
		references: idList('References', input.references),
		messageId: input.messageId
			? checkedMessageId('Message-ID', input.messageId)
			: newMessageId(from.address),
	};
}

/** The message as nodemailer's Mail options (used by SMTP sending and by MIME building for Graph). */
export function toNodemailerOptions(message: OutgoingMessage) {
	return {
		from: message.from,
		to: message.to,
		cc: message.cc,
		bcc: message.bcc,
		replyTo: message.replyTo.length ? message.replyTo : undefined,
		subject: message.subject,
		text: message.text,
		html: message.html,
		attachments: message.attachments.map((a) => ({
			filename: a.filename,
			content: a.content,
			contentType: a.contentType,
			cid: a.cid,
			contentDisposition: a.contentDisposition,
		})),
		headers: message.headers,
		inReplyTo: message.inReplyTo,
		references: message.references.length ? message.references : undefined,
		messageId: message.messageId,
	};
}
