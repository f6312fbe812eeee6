/**
 * R-PROC-6a: forwarding an incoming mail to a configured address. Pure: builds subject, body,
 * attachments and headers; the caller sends the result and records it in the ledger.
 *
 * Two forms:
 * - `attachment` (default): a short cover text and the original message, byte for byte, as a
 *   `message/rfc822` attachment (`<subject>.eml`). Needs the raw message (the trigger's
 *   "Include Raw Message"); without it a clear error says so. Nothing of the original is
 *   re-encoded, so headers, signatures and every attachment arrive unchanged.
 * - `inline`: the usual "Forwarded message" block (From, Date, Subject, To, Cc) followed by the
 *   original text, and the original HTML (sanitised) with the same block in front; every
 *   attachment is attached again, inline images keep their Content-ID so the HTML still shows
 *   them.
 *
 * Headers: `Fwd: <subject>` (one prefix, never `Fwd: Fwd: AW:`); References carries the
 * original's chain and Message-ID (so a reply to the forward can still be related to the
 * original); `Resent-From`, `Resent-To`, `Resent-Date`, `Resent-Message-ID` (RFC 5322 §3.6.6,
 * informational: who passed the mail on to whom, when). The caller adds our loop header.
 *
 * No `Auto-Submitted` and no `X-Auto-Response-Suppress`: a forward passes on a person's mail,
 * the recipient must be able to act on it — and a mailbox that is itself read by a ticket
 * system (including this package, whose classifier treats both headers as automatic mail)
 * would otherwise throw the forwarded mail away.
 *
 * Loops: `forwardLoopConflicts` tells which forward targets are addresses of the mailbox the
 * mail came from or other addresses of ours; the caller refuses those.
 */
import { createHash } from 'node:crypto';
import { replyThreadingHeaders } from './threading';
import { MailCasesError } from '../errors';
import { safeAttachmentName } from './attachment-name';
import { escapeHtml, formatAddress, formatMailDate } from './display-text';
import { htmlToText } from './html-to-text';
import type { OutgoingAttachment } from './outgoing-message';
import { sanitizeHtml } from './sanitize-html';
import { cleanSubject, forwardSubject } from './subject';
import { isWhitespace, trimEndWhile, trimWhile } from './trim-runs';

export type ForwardMode = 'attachment' | 'inline';
export type ForwardLanguage = 'en' | 'de';

export interface ForwardSourceAttachment {
	filename: string;
	contentType: string;
	content: Buffer;
	contentId?: string;
	inline?: boolean;
}

export interface ForwardSource {
	messageId?: string | null;
	inReplyTo?: string | null;
	references?: string[] | string | null;
	subject?: string | null;
	from?: { address: string; name?: string } | null;
	to?: Array<{ address: string; name?: string }>;
	cc?: Array<{ address: string; name?: string }>;
	/** ISO 8601 date of the mail. */
	date?: string | null;
	text?: string | null;
	html?: string | null;
	attachments?: ForwardSourceAttachment[];
	/** The original message as received (needed for mode `attachment`). */
	raw?: Buffer | null;
}

export interface ForwardOptions {
	/** Default `attachment`. */
	mode?: ForwardMode;
	/** Text placed above the forwarded content. */
	note?: string | null;
	/** Default `Fwd` (`WG` is usual in German mail clients). */
	subjectPrefix?: string | null;
	/** Default `en`. */
	language?: ForwardLanguage;
}

export interface ComposedForward {
	subject: string;
	text: string;
	html?: string;
	attachments: OutgoingAttachment[];
	/** The original's thread plus its Message-ID; [] when it had none. */
	references: string[];
}

const TEXTS = {
	en: {
		block: '---------- Forwarded message ----------',
		attached: 'The original message is attached.',
		from: 'From',
		date: 'Date',
		subject: 'Subject',
		to: 'To',
		cc: 'Cc',
	},
	de: {
		block: '---------- Weitergeleitete Nachricht ----------',
		attached: 'Die ursprüngliche Nachricht ist angehängt.',
		from: 'Von',
		date: 'Datum',
		subject: 'Betreff',
		to: 'An',
		cc: 'Cc',
	},
} as const;

export const MISSING_RAW_MESSAGE =
	'Forwarding as an attachment needs the original message, but the input item has no binary property "message". Switch on "Include Raw Message" in the Mail Cases Trigger, or forward inline.';

/** File name for the attached original: the cleaned subject, characters unsafe in file names replaced. */
export function emlFileName(subject: string | null | undefined): string {
	const named = cleanSubject(subject).replace(/[\\/:*?"<>|]+/g, '_');
	const base = trimWhile(named, (code) => code === 0x2e || isWhitespace(code));
	const cut = [...base].slice(0, 100).join('').trim();
	return safeAttachmentName(`${safeAttachmentName(cut, 'message')}.eml`);
}

function headerBlock(
	source: ForwardSource,
	t: (typeof TEXTS)['en' | 'de'],
): Array<[string, string]> {
	const list = (items: ForwardSource['to']) =>
		(items ?? [])
			.map((a) => formatAddress(a))
			.filter(Boolean)
			.join(', ');
	const rows: Array<[string, string]> = [
		[t.from, formatAddress(source.from)],
		[t.date, formatMailDate(source.date)],
		[t.subject, cleanSubject(source.subject)],
		[t.to, list(source.to)],
		[t.cc, list(source.cc)],
	];
	return rows.filter(([, value]) => value !== '');
}

function noteText(note: string | null | undefined): string {
	return (note ?? '').replace(/\r\n?/g, '\n').trim();
}

/** R-PROC-6a: the forward of `source` (see the module comment). */
export function composeForward(
	source: ForwardSource,
	options: ForwardOptions = {},
): ComposedForward {
	const mode = options.mode ?? 'attachment';
	if (mode !== 'attachment' && mode !== 'inline') {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Forward mode must be "attachment" or "inline", got "${String(mode)}"`,
		);
	}
	const t = TEXTS[options.language === 'de' ? 'de' : 'en'];
	const subject = forwardSubject(source.subject, { prefix: options.subjectPrefix || 'Fwd' });
	const threading = replyThreadingHeaders({
		messageId: source.messageId,
		references: source.references,
		inReplyTo: source.inReplyTo,
	});
	const references = threading?.references ?? [];
	const note = noteText(options.note);
	const rows = headerBlock(source, t);
	const width = Math.max(...rows.map(([label]) => label.length)) + 2;
	const blockText = [
		t.block,
		...rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
	].join('\n');
	const blockHtml = `<p>${escapeHtml(t.block)}<br>\n${rows.map(([label, value]) => `<b>${escapeHtml(label)}:</b> ${escapeHtml(value)}`).join('<br>\n')}</p>`;
	const noteHtml = note ? `<p style="white-space:pre-wrap">${escapeHtml(note)}</p>\n` : '';

	if (mode === 'attachment') {
		if (!source.raw || source.raw.length === 0)
			throw new MailCasesError('INVALID_INPUT', MISSING_RAW_MESSAGE);
		const text = [note, [t.attached, '', blockText].join('\n')].filter(Boolean).join('\n\n') + '\n';
		return {
			subject,
			text,
			attachments: [
				{
					filename: emlFileName(source.subject),
					content: source.raw,
					contentType: 'message/rfc822',
					contentDisposition: 'attachment',
				},
			],
			references,
		};
	}

	const originalText =
		source.text && source.text.trim() !== ''
			? source.text.replace(/\r\n?/g, '\n')
			: source.html
				? htmlToText(source.html)
				: '';
	const text = [note, `${blockText}\n\n${originalText}`]
		.filter(Boolean)
		.join('\n\n')
		.trimEnd()
		.concat('\n');
	let html: string | undefined;
	if (source.html) {
		const body = sanitizeHtml(source.html, { linkTarget: null });
		html = `<!DOCTYPE html>\n<html><body>\n${noteHtml}${blockHtml}\n<div>${body}</div>\n</body></html>\n`;
	}
	const attachments: OutgoingAttachment[] = (source.attachments ?? []).map((a) => ({
		filename: safeAttachmentName(a.filename),
		content: a.content,
		contentType: a.contentType,
		...(a.contentId ? { cid: a.contentId } : {}),
		...(a.inline ? { contentDisposition: 'inline' as const } : {}),
	}));
	return { subject, text, html, attachments, references };
}

/** An RFC 5322 date-time in UTC: `Sun, 29 Nov 2026 10:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
	return date.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 5322 §3.6.6 resent fields of a forward (informational). */
export function resentHeaders(input: {
	from: string;
	to: string[];
	messageId: string;
	date: Date;
}): Record<string, string> {
	return {
		'Resent-From': input.from,
		'Resent-To': input.to.join(', '),
		'Resent-Date': rfc5322Date(input.date),
		'Resent-Message-ID': input.messageId,
	};
}

const ADDRESS_DELIMITERS = /[\s<>(),;:"'[\]\\]+/;

/** `x@y.z` in a token: an `@` after the first character, a `.` between it and the last character. */
function looksLikeAddress(token: string): boolean {
	const at = token.indexOf('@', 1);
	return at > 0 && token.lastIndexOf('.', token.length - 2) >= at + 2;
}

/**
 * Addresses of the mailbox a mail came from, as the Mail Cases Trigger describes it in the
 * item's `mailbox.mailbox` (`IMAPS host:993 as support@example.com, folder INBOX`,
 * `support@contoso.com on Microsoft 365 (...)`): every token that looks like an e-mail address.
 * A login that is no address (`support`) yields nothing; list such mailboxes' addresses as own
 * addresses.
 */
export function mailboxAddresses(description: string | null | undefined): string[] {
	if (!description) return [];
	return [
		...new Set(
			String(description)
				.split(ADDRESS_DELIMITERS)
				.filter(looksLikeAddress)
				.map((a) => trimEndWhile(a, (code) => code === 0x2e)),
		),
	];
}

function norm(address: string): string {
	return address.trim().toLowerCase();
}

/**
 * The forward targets that are our own addresses (compared ignoring case). A forward to the
 * mailbox the mail came from would come straight back in — as our own mail, which the trigger
 * skips as a loop, so the mail would be lost — or forward itself forever.
 */
export function forwardLoopConflicts(
	targets: readonly string[],
	ownAddresses: readonly string[],
): string[] {
	const own = new Set(ownAddresses.filter((a) => a && a.includes('@')).map(norm));
	return targets.filter((t) => own.has(norm(t)));
}

/**
 * The ledger key of a forward (R-PLUS-2): derived from the mail's own key and the target
 * addresses, so a mail processed again is not forwarded to the same addresses twice, while the
 * mail's own key stays free for the case it may also open (Create Case from Mail) or join
 * (Add to Case). Format `sha256:<hex>`, as the ledger requires.
 */
export function forwardLedgerKey(mailKey: string, targets: readonly string[]): string {
	const list = [...new Set(targets.map(norm))].sort().join(',');
	return `sha256:${createHash('sha256').update(`mail-cases forward\n${mailKey}\n${list}`).digest('hex')}`;
}
