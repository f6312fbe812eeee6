/**
 * R-PROC-3: the mail that tells the members of a case's responsible org unit / role that a new
 * message arrived for the case. Pure: builds subject, text, HTML and threading headers; the
 * caller sends it (with autoHeaders, R-PLUS-3) and records its Message-ID for the case.
 *
 * - Subject: `[#<case number>] New message: <original subject>` (R-PLUS-4: the reference is
 *   always there, once; a reference already in the original subject is not repeated).
 * - Body: case number (and title), sender, original subject, date, attachment names and a short
 *   excerpt of the sender's OWN words: quoted reply text and the signature are left out
 *   (lib/mail/quoted-text.ts); HTML-only mails are converted to text with link targets hidden.
 *   The notification itself contains no links; the HTML part is a simple escaped rendering of
 *   the same text (no images, no styles that load anything).
 * - Threading: In-Reply-To is the incoming mail's Message-ID, References its chain plus that id,
 *   so replies to the notification thread with the incoming mail and the case.
 * - Message-ID: derived from the installation, the incoming mail and the case
 *   (`notificationMessageId`), so a mail that is processed again yields the same id and the
 *   caller can see that it notified already.
 */
import { createHash } from 'node:crypto';
import { withCaseReference } from './case-number';
import type { CaseReferenceKey } from '../store/case-reference-tag';
import { replyThreadingHeaders } from '../mail/threading';
import { MailCasesError } from '../errors';
import { safeAttachmentName } from '../mail/attachment-name';
import { htmlToText } from '../mail/html-to-text';
import { MAX_FIELD_TEXT_LENGTH } from '../mail/limits';
import { messageIdDomain } from '../mail/outgoing-message';
import { ownText } from '../mail/quoted-text';
import { cleanSubject, normalizeSubject } from '../mail/subject';
import { trimLineEnds } from '../mail/trim-runs';
import {
	escapeHtml,
	formatAddress,
	formatMailDate,
	INVISIBLE_CHARACTERS as CONTROL,
} from '../mail/display-text';

export type NotificationLanguage = 'en' | 'de';

export interface NotificationMail {
	messageId?: string | null;
	inReplyTo?: string | null;
	references?: string[] | string | null;
	from?: { address: string; name?: string } | null;
	subject?: string | null;
	/** ISO 8601 date of the mail (the trigger's `date`). */
	date?: string | null;
	text?: string | null;
	html?: string | null;
	attachments?: Array<{ filename: string }>;
}

export interface NotificationInput {
	caseNumber: string;
	caseTitle?: string | null;
	/** Name of the responsible org unit / role (shown in the text). */
	responsibleName?: string | null;
	mail: NotificationMail;
	/** Default `en`. */
	language?: NotificationLanguage;
	/** Longest excerpt in characters (default 500; 0 leaves the excerpt out). */
	excerptLength?: number;
	/** Own subject instead of "New message: <original subject>"; the case reference is added. */
	subject?: string | null;
	/** Issue #11.7: signs the case reference (`[#2026-000123-k7q2mz]`); unsigned without it. */
	referenceKey?: Pick<CaseReferenceKey, 'tag'>;
}

export interface ComposedNotification {
	subject: string;
	text: string;
	html: string;
	/** The excerpt as it appears in the body ('' when there was no text). */
	excerpt: string;
	/** Threading headers; undefined / [] when the incoming mail had no Message-ID. */
	inReplyTo?: string;
	references: string[];
}

export const DEFAULT_EXCERPT_LENGTH = 500;

const TEXTS = {
	en: {
		subject: 'New message',
		intro: (n: string) => `A new message arrived for case ${n}.`,
		title: 'Case',
		unit: 'Responsible',
		from: 'From',
		subjectLabel: 'Subject',
		date: 'Received',
		attachments: 'Attachments',
		excerpt: 'Excerpt',
		noText: '(no text)',
		unknownSender: '(unknown sender)',
		footer:
			'This is an automatic notification. The complete message and its attachments are in the case’s activity list.',
	},
	de: {
		subject: 'Neue Nachricht',
		intro: (n: string) => `Zum Vorgang ${n} ist eine neue Nachricht eingegangen.`,
		title: 'Vorgang',
		unit: 'Zuständig',
		from: 'Von',
		subjectLabel: 'Betreff',
		date: 'Eingegangen',
		attachments: 'Anhänge',
		excerpt: 'Auszug',
		noText: '(kein Text)',
		unknownSender: '(unbekannter Absender)',
		footer:
			'Dies ist eine automatische Benachrichtigung. Die vollständige Nachricht und ihre Anhänge stehen in der Aktivitätenliste des Vorgangs.',
	},
} as const;

/**
 * The sender's own words of a mail, shortened: text part (or the HTML as text, links hidden),
 * without quoted reply text and signature, blank-line runs collapsed, cut at a word boundary
 * near `maxLength` characters with `…` appended when something was cut. Only the first
 * MAX_FIELD_TEXT_LENGTH characters are searched for quoted text (issue #11 item 2).
 */
export function mailExcerpt(
	body: { text?: string | null; html?: string | null },
	maxLength = DEFAULT_EXCERPT_LENGTH,
): string {
	if (!(maxLength > 0)) return '';
	const source =
		body.text && body.text.trim() !== ''
			? body.text
			: body.html
				? htmlToText(body.html, { links: 'hide', images: 'skip' })
				: '';
	const head = source.slice(0, MAX_FIELD_TEXT_LENGTH).replace(/\r\n?/g, '\n');
	const own = trimLineEnds(ownText(head).replace(CONTROL, ''))
		.replace(/\n{3,}/g, '\n\n')
		.trim();
	const chars = [...own];
	if (chars.length <= maxLength) return own;
	let cut = chars.slice(0, maxLength).join('');
	const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
	if (space > maxLength * 0.6) cut = cut.slice(0, space);
	return `${cut.trimEnd()} …`;
}

function oneLine(text: string | null | undefined): string {
	return cleanSubject(text ?? '').replace(CONTROL, '');
}

/** R-PROC-3: subject, text and HTML of a notification (see the module comment). */
export function composeNotification(input: NotificationInput): ComposedNotification {
	const caseNumber = String(input.caseNumber ?? '').trim();
	if (!caseNumber)
		throw new MailCasesError('INVALID_INPUT', 'A notification needs the case number');
	const t = TEXTS[input.language === 'de' ? 'de' : 'en'];
	const mail = input.mail ?? {};
	const original = normalizeSubject(mail.subject, { removeCaseReferences: true });
	const custom = oneLine(input.subject);
	const base = custom || (original ? `${t.subject}: ${original}` : t.subject);
	const subject = withCaseReference(base, caseNumber, input.referenceKey);

	const excerpt = mailExcerpt(mail, input.excerptLength ?? DEFAULT_EXCERPT_LENGTH);
	const title = oneLine(input.caseTitle);
	const unit = oneLine(input.responsibleName);
	const names = (mail.attachments ?? [])
		.map((a) => oneLine(safeAttachmentName(a.filename, '')))
		.filter(Boolean);
	const rows: Array<[string, string]> = [
		[t.title, title ? `${caseNumber} – ${title}` : caseNumber],
		...(unit ? ([[t.unit, unit]] as Array<[string, string]>) : []),
		[t.from, formatAddress(mail.from) || t.unknownSender],
		[t.subjectLabel, oneLine(mail.subject)],
		...(formatMailDate(mail.date)
			? ([[t.date, formatMailDate(mail.date)]] as Array<[string, string]>)
			: []),
		...(names.length
			? ([[t.attachments, `${names.length}: ${names.join(', ')}`]] as Array<[string, string]>)
			: []),
	];
	const width = Math.max(...rows.map(([label]) => label.length)) + 2;
	const showExcerpt = (input.excerptLength ?? DEFAULT_EXCERPT_LENGTH) > 0;

	const textLines = [
		t.intro(caseNumber),
		'',
		...rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
	];
	if (showExcerpt) textLines.push('', `${t.excerpt}:`, excerpt || t.noText);
	textLines.push('', '-- ', t.footer, '');
	const text = textLines.join('\n');

	const htmlRows = rows
		.map(
			([label, value]) =>
				`<tr><th align="left" valign="top" style="padding-right:12px">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
		)
		.join('\n');
	const htmlParts = [
		'<!DOCTYPE html>',
		'<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px">',
		`<p>${escapeHtml(t.intro(caseNumber))}</p>`,
		`<table cellpadding="2" cellspacing="0">\n${htmlRows}\n</table>`,
	];
	if (showExcerpt) {
		htmlParts.push(
			`<p><b>${escapeHtml(t.excerpt)}</b></p>`,
			`<div style="white-space:pre-wrap;border-left:3px solid #cccccc;padding-left:8px">${escapeHtml(excerpt || t.noText)}</div>`,
		);
	}
	htmlParts.push(
		`<p style="color:#666666;font-size:12px">${escapeHtml(t.footer)}</p>`,
		'</body></html>',
		'',
	);

	const threading = replyThreadingHeaders({
		messageId: mail.messageId,
		references: mail.references,
		inReplyTo: mail.inReplyTo,
	});
	return {
		subject,
		text,
		html: htmlParts.join('\n'),
		excerpt,
		inReplyTo: threading?.inReplyTo,
		references: threading?.references ?? [],
	};
}

/**
 * The Message-ID of the notification for one incoming mail and case:
 * `<mail-cases.notify.<32 hex>@<domain of the sender address>>`, the hex derived from the
 * installation (`systemId`), the mail's ledger key and the case id. The same mail processed
 * again gives the same id, so `cases.isOutgoingMessageId` tells whether it was sent already.
 */
export function notificationMessageId(input: {
	systemId: string;
	mailKey: string;
	caseId: number | string;
	fromAddress: string;
}): string {
	const hash = createHash('sha256')
		.update(`mail-cases notification\n${input.systemId}\n${input.mailKey}\n${input.caseId}`)
		.digest('hex')
		.slice(0, 32);
	return `<mail-cases.notify.${hash}@${messageIdDomain(input.fromAddress)}>`;
}
