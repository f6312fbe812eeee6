/**
 * Types of parsed and classified incoming mail (lib/mail/parse-message.ts and lib/mail/classify/).
 *
 * Conventions:
 * - Message-IDs (`messageId`, `inReplyTo`, `references`, `bouncedMessageId`) keep their angle
 *   brackets, as on the wire: `<abc@host>`. Compare them as they are.
 * - `contentId` of an attachment has NO angle brackets, so it equals the part after `cid:` in
 *   HTML (`<img src="cid:logo@x">` refers to the attachment with contentId `logo@x`).
 * - Header names are lower-case; values are unfolded, encoded words (RFC 2047) decoded, raw
 *   8-bit bytes read as UTF-8 (or Windows-1252 when they are not valid UTF-8), control
 *   characters other than tab replaced by spaces (no CR/LF can reach a reply's headers).
 */

export interface MailAddress {
	/** The address as written (internationalised domains decoded to Unicode); never empty. */
	address: string;
	/** The decoded display name; '' when the header gave none. */
	name: string;
}

/** Header name (lower-case) → value; a repeated header gives an array in header order. */
export type MailHeaders = Record<string, string | string[]>;

/** What the header section alone tells (see parseMessageHeaders, the cheap path). */
export interface ParsedHeaderSection {
	/** `<id@host>` with angle brackets; null when absent or empty. */
	messageId: string | null;
	/** Decoded subject; '' when absent. */
	subject: string;
	/** First mailbox of From; null when absent or unparseable. */
	from: MailAddress | null;
	/** Groups are flattened into their members. */
	to: MailAddress[];
	cc: MailAddress[];
	bcc: MailAddress[];
	replyTo: MailAddress[];
	/** The Date header as an ISO 8601 string (UTC); null when absent or unparseable. */
	date: string | null;
	/** First Message-ID of In-Reply-To, with angle brackets; null when absent. */
	inReplyTo: string | null;
	/** Message-IDs of References in header order, with angle brackets. */
	references: string[];
	headers: MailHeaders;
	/** Size of the raw message in bytes. */
	size: number;
	/** SHA-256 of the raw message bytes, lower-case hex. */
	rawHash: string;
}

export interface MailAttachment {
	/**
	 * Decoded file name (RFC 2231, encoded words), made safe by safeAttachmentName (no directory
	 * parts, no control or bidi characters, at most 255 UTF-8 bytes keeping the extension). When
	 * the part names none, a name is made up (see `filenameGiven`):
	 * `<subject>.eml` for an attached message, `<Content-Description>.<ext>` or
	 * `attachment-<n>.<ext>` otherwise.
	 */
	filename: string;
	/** false when `filename` was made up because the part named no file. */
	filenameGiven: boolean;
	/** Lower-case MIME type, e.g. `image/png`. */
	contentType: string;
	/** Decoded size in bytes. */
	size: number;
	/** Content-ID without angle brackets (the `cid:` URL value), when the part has one. */
	contentId?: string;
	/**
	 * true for parts meant to be shown inside the body: `Content-Disposition: inline`, or a part
	 * with a Content-ID inside `multipart/related` (embedded image).
	 */
	inline: boolean;
	/** Decoded content. */
	content: Buffer;
	/** SHA-256 of `content`, lower-case hex. */
	checksum: string;
}

export interface ParsedMessage extends ParsedHeaderSection {
	/**
	 * Plain text body (all text/plain parts). When the mail has only HTML it is the HTML
	 * converted to text; '' when the mail has no text at all.
	 */
	text: string;
	/** The HTML body as sent (cid: links left as they are); null when there is none. */
	html: string | null;
	/** At most MAX_ATTACHMENTS (lib/mail/limits.ts, 100), in the order of the message. */
	attachments: MailAttachment[];
	/** Attachments beyond MAX_ATTACHMENTS that were not extracted (parseMessage sets it; 0 or more). */
	attachmentsOmitted?: number;
	/** What parsing cut short, in words for a person (absent when nothing was). */
	notes?: string[];
}

export interface ParseOptions {
	/** Messages larger than this many bytes are refused with MESSAGE_TOO_LARGE. Default 25 MB. */
	maxBytes?: number;
	/** Parsing that takes longer fails with MESSAGE_UNPARSEABLE. Default 60 s. */
	timeoutMs?: number;
}

/** `report`: abuse/spam feedback reports (ARF, RFC 5965), routed like bounces by default. */
export type MailClass = 'normal' | 'autoReply' | 'bounce' | 'report' | 'list' | 'loop';

/** Facts from a delivery status notification (RFC 3464), for the first failed recipient. */
export interface BounceInfo {
	/** Enhanced status code, e.g. `5.1.1`. */
	status?: string;
	/** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
	action?: string;
	/** Final-Recipient (or Original-Recipient) address, without the `rfc822;` type. */
	recipient?: string;
	/** Diagnostic-Code without its type, unfolded. */
	diagnostic?: string;
	/** true for a 5.x.x status (permanent failure), false for 4.x.x (transient). */
	permanent?: boolean;
}

/** Facts from an abuse / spam feedback report (ARF, RFC 5965 `message/feedback-report`). */
export interface FeedbackInfo {
	/** Feedback-Type, lower-case: `abuse`, `fraud`, `virus`, `auth-failure`, `not-spam`, `other`. */
	feedbackType?: string;
	/** Original-Rcpt-To: the address whose owner complained, without angle brackets. */
	recipient?: string;
	/** Source-IP: the address the reported mail came from. */
	sourceIp?: string;
	/** User-Agent of the reporting system, e.g. `Yahoo!-Mail-Feedback/1.0`. */
	userAgent?: string;
}

export interface Classification {
	class: MailClass;
	/** Human-readable, one per rule that fired, in pipeline order. */
	reasons: string[];
	/**
	 * For bounces: Message-ID of the mail that could not be delivered; for reports: of the mail
	 * that was reported (complained about); when found.
	 */
	bouncedMessageId?: string;
	bounce?: BounceInfo;
	/** For reports (class `report`): what the feedback report says. */
	feedback?: FeedbackInfo;
	/**
	 * true when only the subject looked automatic (an ignore keyword or an auto-reply subject
	 * form) but the mail carries a case reference or answers a mail we sent: it stays `normal`
	 * and goes to its case, flagged; `reasons` says why. Absent otherwise.
	 */
	probablyAutomatic?: boolean;
}

export interface ClassifyOptions {
	/**
	 * Subject keywords that mark an auto-reply (R-PROC-7). Case-insensitive; a keyword matches
	 * where a word of the subject starts (so "Abwesenheit" matches "Abwesenheitsnotiz").
	 * Replaces the default list (DEFAULT_IGNORE_SUBJECT_KEYWORDS); pass [] to switch it off.
	 */
	ignoreSubjectKeywords?: string[];
	/**
	 * The subject forms mail systems give automatic replies (`Automatic reply:`, `Automatische
	 * Antwort:`, `Out of Office:`, `… is out of the office`; see subject-forms.ts). Default true.
	 */
	autoReplySubjectForms?: boolean;
	/** This installation's id, as written into our loop header by outgoing mail. */
	systemId?: string;
	/**
	 * Addresses this installation sends from / receives at; mail from them is a loop. Their
	 * domains also mark Message-IDs of mail we sent (the ids we generate end in the sender's
	 * domain), which keeps a reply to our mail with an auto-reply-like subject `normal`.
	 */
	ownAddresses?: string[];
}

/** What classifyMessage needs: the header section, and the body parts when available. */
export type ClassifiableMessage = ParsedHeaderSection &
	Partial<Pick<ParsedMessage, 'text' | 'attachments'>>;
