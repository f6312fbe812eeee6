import { createHash } from 'node:crypto';
import type { Attachment as MailparserAttachment } from 'mailparser';
import { MailCasesError } from '../errors';
import { parseAddressList } from './address';
import { safeAttachmentName } from './attachment-name';
import { withUsableBoundaries } from './boundary-whitespace';
import { decodeEncodedWords, utf7WordsAsUtf8 } from './encoded-words';
import { htmlToText } from './html-to-text';
import { MAX_ATTACHMENTS, MAX_MIME_PARTS } from './limits';
import { bracketedMessageId, messageIdsIn } from './message-id';
import { parseMime, type MimeParseResult } from './mime-parser';
import { assertEmailMessage } from './not-a-mail';
import type {
	MailAttachment,
	MailHeaders,
	ParsedHeaderSection,
	ParsedMessage,
	ParseOptions,
} from './types';
import { decodeInCharset, detectUndeclaredCharset, isValidUtf8 } from './undeclared-charset';

/**
 * Parsing of raw incoming mail (RFC 5322 / MIME).
 *
 * Two paths:
 * - parseMessage: the whole message through mailparser's simpleParser (bodies, attachments);
 * - parseMessageHeaders: the header section only, cheap, enough for most classification rules
 *   and for reading the headers of an attached (bounced) message.
 * The header fields (subject, addresses, ids, date, headers) come from the same code in both
 * paths, so both give the same values for them.
 */

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
export const DEFAULT_PARSE_TIMEOUT_MS = 60_000;
/** The header section is read up to this size; what follows is treated as body. */
const MAX_HEADER_SECTION_BYTES = 1024 * 1024;
/** HTML longer than this is not converted to text (the text stays empty). */
const MAX_HTML_TO_TEXT_CHARS = 5 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Header section
// ---------------------------------------------------------------------------------------------

interface HeaderField {
	/** lower-case name */
	name: string;
	/** unfolded value, raw 8-bit bytes decoded, encoded words NOT decoded */
	raw: string;
}

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Reads the header fields of a raw message: up to the first empty line, folded lines joined,
 * a leading mbox `From ` line and lines that are no header field skipped. Accepts LF, CRLF and
 * CR-only line ends.
 */
function readHeaderFields(raw: Buffer): HeaderField[] {
	const head = raw.subarray(0, MAX_HEADER_SECTION_BYTES).toString('latin1');
	const fields: HeaderField[] = [];
	let current: HeaderField | null = null;
	let pos = 0;
	let first = true;
	while (pos < head.length) {
		let end = pos;
		while (end < head.length && head[end] !== '\n' && head[end] !== '\r') end++;
		const line = head.slice(pos, end);
		pos = end;
		if (head[pos] === '\r') pos++;
		if (head[pos] === '\n') pos++;
		if (line === '') break;
		if (first && line.startsWith('From ')) {
			first = false;
			continue;
		}
		first = false;
		if ((line[0] === ' ' || line[0] === '\t') && current) {
			current.raw += line;
			continue;
		}
		const colon = line.indexOf(':');
		const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
		if (!HEADER_NAME.test(name)) {
			current = null;
			continue;
		}
		current = { name: name.toLowerCase(), raw: line.slice(colon + 1) };
		fields.push(current);
	}
	decodeRawBytes(fields);
	return fields;
}

/**
 * Header values hold raw bytes (latin1 strings) → text. 7-bit and valid UTF-8 values (RFC 6532)
 * stay as they are; the other 8-bit values are read in the charset detected once over all of
 * them together (undeclared-charset.ts: KOI8-R, Windows-1251 …, else Windows-1252), since one
 * short value alone is too little for the detector and a mail's header fields come from one
 * sender's software.
 */
function decodeRawBytes(fields: HeaderField[]): void {
	const legacy: HeaderField[] = [];
	for (const field of fields) {
		if (!/[\x80-\xff]/.test(field.raw)) continue;
		const bytes = Buffer.from(field.raw, 'latin1');
		if (isValidUtf8(bytes)) field.raw = bytes.toString('utf8');
		else legacy.push(field);
	}
	if (legacy.length > 0) {
		const all = Buffer.from(legacy.map((field) => field.raw).join('\n'), 'latin1');
		const charset = detectUndeclaredCharset(all);
		for (const field of legacy)
			field.raw = decodeInCharset(Buffer.from(field.raw, 'latin1'), charset);
	}
	for (const field of fields) field.raw = field.raw.trim();
}

// ---------------------------------------------------------------------------------------------
// Field values
// ---------------------------------------------------------------------------------------------

/** RFC 5322 date → ISO string; null when it cannot be read. */
export function parseMailDate(value: string | undefined): string | null {
	if (!value) return null;
	const cleaned = value
		.replace(/\([^()]*\)/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	for (const candidate of [cleaned, cleaned.replace(/^[A-Za-z]+,?\s*/, '')]) {
		const time = Date.parse(candidate);
		if (!Number.isNaN(time)) return new Date(time).toISOString();
	}
	return null;
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** Control characters (an encoded word can smuggle in CR/LF) become spaces; tabs stay. */
export function withoutControls(value: string): string {
	return value.replace(CONTROLS, ' ');
}

function setHeader(headers: MailHeaders, name: string, value: string): void {
	const existing = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
	const next =
		existing === undefined
			? value
			: Array.isArray(existing)
				? [...existing, value]
				: [existing, value];
	// defineProperty: a header named like an Object.prototype member (`__proto__`) stays data
	Object.defineProperty(headers, name, {
		value: next,
		enumerable: true,
		writable: true,
		configurable: true,
	});
}

function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

function assertBuffer(raw: unknown): asserts raw is Buffer {
	if (!Buffer.isBuffer(raw)) {
		throw new MailCasesError('INVALID_INPUT', 'The raw message must be a Buffer of bytes.');
	}
}

function headerSection(raw: Buffer, fields: HeaderField[]): ParsedHeaderSection {
	const headers: MailHeaders = {};
	const rawOf = new Map<string, string[]>();
	for (const field of fields) {
		setHeader(headers, field.name, withoutControls(decodeEncodedWords(field.raw)));
		const list = rawOf.get(field.name);
		if (list) list.push(field.raw);
		else rawOf.set(field.name, [field.raw]);
	}
	const first = (name: string) => rawOf.get(name)?.[0];
	const addresses = (name: string) => rawOf.get(name)?.map(utf7WordsAsUtf8);
	const subject = headers.subject;
	return {
		messageId: bracketedMessageId(first('message-id')),
		subject: (Array.isArray(subject) ? subject[0] : subject) ?? '',
		from: parseAddressList(addresses('from')?.[0])[0] ?? null,
		to: parseAddressList(addresses('to')),
		cc: parseAddressList(addresses('cc')),
		bcc: parseAddressList(addresses('bcc')),
		replyTo: parseAddressList(addresses('reply-to')),
		date: parseMailDate(first('date')),
		inReplyTo: messageIdsIn(first('in-reply-to'))[0] ?? null,
		references: messageIdsIn(rawOf.get('references') ?? []),
		headers,
		size: raw.length,
		rawHash: sha256(raw),
	};
}

/**
 * The cheap path: the header section only (no body, no attachments). Never throws for
 * content; throws INVALID_INPUT when `raw` is not a Buffer.
 */
export function parseMessageHeaders(raw: Buffer): ParsedHeaderSection {
	assertBuffer(raw);
	return headerSection(raw, readHeaderFields(raw));
}

// ---------------------------------------------------------------------------------------------
// Full parse
// ---------------------------------------------------------------------------------------------

/**
 * What mailparser gets: a message with CR-only line ends (old Mac) gets CRLF, which is all
 * mailparser reads; boundaries ending in whitespace are replaced (boundary-whitespace.ts).
 */
function forMailparser(raw: Buffer): Buffer {
	const lines =
		raw.includes(0x0a) || !raw.includes(0x0d)
			? raw
			: Buffer.from(raw.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
	return withUsableBoundaries(lines);
}

const EXTENSIONS: Record<string, string> = {
	'text/plain': 'txt',
	'text/html': 'html',
	'text/calendar': 'ics',
	'text/csv': 'csv',
	'text/rfc822-headers': 'txt',
	'message/delivery-status': 'txt',
	'message/global-delivery-status': 'txt',
	'message/disposition-notification': 'txt',
	'message/feedback-report': 'txt',
	'message/rfc822': 'eml',
	'message/global': 'eml',
	'application/pdf': 'pdf',
	'application/zip': 'zip',
	'application/ms-tnef': 'dat',
	'application/pgp-signature': 'asc',
	'application/pkcs7-signature': 'p7s',
	'application/x-pkcs7-signature': 'p7s',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'image/bmp': 'bmp',
	'image/webp': 'webp',
	'image/svg+xml': 'svg',
};

function headerText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	return '';
}

function madeUpFilename(part: MailparserAttachment, contentType: string, index: number): string {
	const ext = EXTENSIONS[contentType] ?? 'bin';
	if (ext === 'eml') {
		const subject = safeAttachmentName(parseMessageHeaders(part.content).subject, 'message');
		return safeAttachmentName(`${subject}.eml`);
	}
	const description = safeAttachmentName(
		decodeEncodedWords(headerText(part.headers?.get('content-description'))),
		`attachment-${index + 1}`,
	);
	return safeAttachmentName(`${description}.${ext}`);
}

function toAttachment(part: MailparserAttachment, index: number): MailAttachment {
	const contentType = (part.contentType || 'application/octet-stream').toLowerCase();
	const given = safeAttachmentName(part.filename, '');
	const content = Buffer.isBuffer(part.content) ? part.content : Buffer.alloc(0);
	const attachment: MailAttachment = {
		filename: given || madeUpFilename(part, contentType, index),
		filenameGiven: given !== '',
		contentType,
		size: content.length,
		inline: part.contentDisposition === 'inline' || part.related === true,
		content,
		checksum: part.checksum || sha256(content),
	};
	if (part.cid) attachment.contentId = part.cid;
	return attachment;
}

/**
 * The first MAX_ATTACHMENTS attachments; the count of the others, with a note. The parser has
 * read them already (at most MAX_MIME_PARTS parts, within the message size limit); what the cap
 * saves is the work after parsing: binary data, storage, forwarding.
 */
function capAttachments(
	attachments: MailAttachment[],
): Pick<ParsedMessage, 'attachments' | 'attachmentsOmitted' | 'notes'> {
	const omitted = Math.max(0, attachments.length - MAX_ATTACHMENTS);
	if (omitted === 0) return { attachments, attachmentsOmitted: 0 };
	return {
		attachments: attachments.slice(0, MAX_ATTACHMENTS),
		attachmentsOmitted: omitted,
		notes: [
			`Only the first ${MAX_ATTACHMENTS} of ${attachments.length} attachments were extracted (limit ${MAX_ATTACHMENTS} per mail); the other ${omitted} ${omitted === 1 ? 'is' : 'are'} only in the original message.`,
		],
	};
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					new MailCasesError(
						'MESSAGE_UNPARSEABLE',
						`Parsing the message took longer than ${ms} ms.`,
					),
				),
			ms,
		);
		timer.unref?.();
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The mail's text: its text parts, or its HTML converted to text when it has no text (issue #13
 * item 8), always by our converter (html-to-text.ts: no line wrapping, so a long
 * `Field = Value` line stays one line; headings keep their case). mailparser converts HTML only
 * when the HTML is the whole message (wrapped at 80 characters) or sits beside a text part
 * outside multipart/alternative; an HTML part inside multipart/related or mixed, or alone in
 * multipart/alternative, gave no text (mailparser issues #243, #345, #398).
 */
function textOf(mail: MimeParseResult, html: string | null): string {
	const text = typeof mail.text === 'string' ? mail.text : '';
	if (mail.hasTextPart && text.trim() !== '') return text;
	if (html && html.length <= MAX_HTML_TO_TEXT_CHARS) {
		const converted = htmlToText(html);
		if (converted !== '') return converted;
	}
	return mail.hasTextPart ? text : '';
}

/**
 * Parses a raw message. Throws MailCasesError:
 * - INVALID_INPUT when `raw` is not a Buffer;
 * - MESSAGE_TOO_LARGE (before any parsing) when it is larger than `maxBytes` (default 25 MB);
 * - NOT_AN_EMAIL (before any parsing) when it is no e-mail message: a binary file, or no header
 *   section of a mail (see not-a-mail.ts);
 * - MESSAGE_UNPARSEABLE when the MIME parser fails or takes longer than `timeoutMs`.
 * Malformed mail (missing boundaries, bad charsets, broken encodings) parses as far as it can.
 */
export async function parseMessage(
	raw: Buffer,
	options: ParseOptions = {},
): Promise<ParsedMessage> {
	assertBuffer(raw);
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
	if (raw.length > maxBytes) {
		throw new MailCasesError(
			'MESSAGE_TOO_LARGE',
			`The message has ${raw.length} bytes, more than the limit of ${maxBytes} bytes.`,
			{ details: { size: raw.length, maxBytes } },
		);
	}
	assertEmailMessage(raw);
	const input = forMailparser(raw);
	let mail: MimeParseResult;
	try {
		mail = await withTimeout(
			// cid: links stay as they are (parseMime never inlines images)
			parseMime(input, {
				keepDeliveryStatus: true,
				skipTextToHtml: true,
				skipTextLinks: true,
				checksumAlgo: 'sha256',
				maxHtmlLengthToParse: MAX_HTML_TO_TEXT_CHARS,
				maxChildNodes: MAX_MIME_PARTS,
			}),
			options.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS,
		);
	} catch (error) {
		if (error instanceof MailCasesError) throw error;
		const reason = /child nodes/i.test(error instanceof Error ? error.message : '')
			? `it has more than ${MAX_MIME_PARTS} MIME parts, the limit for one mail`
			: error instanceof Error
				? error.message
				: String(error);
		throw new MailCasesError('MESSAGE_UNPARSEABLE', `The message cannot be parsed: ${reason}`, {
			cause: error,
		});
	}
	const section = headerSection(raw, readHeaderFields(raw));
	const html = typeof mail.html === 'string' ? mail.html : null;
	return {
		...section,
		text: textOf(mail, html),
		html,
		...capAttachments((mail.attachments as MailparserAttachment[]).map(toAttachment)),
	};
}
