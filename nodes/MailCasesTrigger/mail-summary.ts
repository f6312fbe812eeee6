import { parseMessageHeaders, withoutControls } from '../../lib/mail/parse-message';
import type { ParsedHeaderSection } from '../../lib/mail/types';

/**
 * Of a mail that is reported (quarantined) only the start is read for its header fields: a mail
 * comes from a stranger, so its size must not decide how much work a report is. 64 KiB holds the
 * header section of any ordinary mail; fields beyond it are reported as missing.
 */
export const MAX_REPORT_HEADER_BYTES = 64 * 1024;

/** Longest subject in a report or log line; the rest is cut off with an ellipsis. */
const MAX_SUBJECT_CHARS = 300;

/** What a person needs to find a mail: the fields a mail client shows, and its size. */
export interface MailSummary {
	subject: string | null;
	/** The sender's address; null when the From header is missing or no address. */
	from: string | null;
	/** The sender's display name, '' when none. */
	fromName: string;
	/** The Date header as ISO 8601; null when missing or unreadable. */
	date: string | null;
	/** `<id@host>`; null when the mail has none. */
	messageId: string | null;
	/** Size of the whole mail in bytes, when known. */
	size: number | null;
}

/** Control characters out (a log line stays one line), at most MAX_SUBJECT_CHARS. */
function cut(text: string): string {
	const clean = withoutControls(text);
	return clean.length > MAX_SUBJECT_CHARS ? `${clean.slice(0, MAX_SUBJECT_CHARS)}…` : clean;
}

/** The summary of a mail whose header section was parsed already. */
export function summaryOf(headers: ParsedHeaderSection): MailSummary {
	return {
		subject: cut(headers.subject),
		from: headers.from ? cut(headers.from.address) : null,
		fromName: cut(headers.from?.name ?? ''),
		date: headers.date,
		messageId: headers.messageId ? cut(headers.messageId) : null,
		size: headers.size,
	};
}

function unread(size: number | null): MailSummary {
	return { subject: null, from: null, fromName: '', date: null, messageId: null, size };
}

/** The summary from the raw bytes, reading the header section only (bounded, see above). */
export function summaryOfRaw(raw: Buffer | undefined, size: number | undefined): MailSummary {
	const known = size ?? raw?.length ?? null;
	if (!raw) return unread(known);
	try {
		const summary = summaryOf(parseMessageHeaders(raw.subarray(0, MAX_REPORT_HEADER_BYTES)));
		return { ...summary, size: known };
	} catch {
		// A report must go out whatever the bytes are; the header parse is not expected to throw.
		return unread(known);
	}
}

/** `subject "…", from a@b, date …, Message-ID <…>, 1234 bytes` — the parts that are known. */
export function describeMail(summary: MailSummary): string {
	const parts: string[] = [];
	if (summary.subject !== null) parts.push(`subject ${JSON.stringify(summary.subject)}`);
	if (summary.from !== null) parts.push(`from ${summary.from}`);
	if (summary.date !== null) parts.push(`date ${summary.date}`);
	if (summary.messageId !== null) parts.push(`Message-ID ${summary.messageId}`);
	if (summary.size !== null) parts.push(`${summary.size} bytes`);
	return parts.join(', ');
}
