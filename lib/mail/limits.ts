/**
 * Limits on the work done for one incoming mail (issue #11 item 2). Every byte of a mail comes
 * from a stranger; these bounds keep the time and stack used per mail independent of how the
 * mail is built. Beyond a limit the work is cut short with a note, never with an error:
 *
 * - MAX_HTML_DEPTH: HTML elements nested deeper are flattened (their tags dropped, their text
 *   kept) before any tree-walking library sees the HTML (lib/mail/flatten-deep-html.ts).
 * - MAX_FIELD_TEXT_LENGTH: only this many characters of a mail's text body are read for
 *   `Field = Value` lines and for finding quoted reply text (lib/cases/field-lines.ts).
 * - MAX_FIELD_LINES: only this many `Field = Value` lines are taken from one mail.
 * - MAX_FIELD_NAME_LENGTH: a longer name before `=` makes the line no Field line (prose).
 * - MAX_FIELD_VALUE_LENGTH: a longer value is reported as invalid and not applied.
 * - MAX_SUBJECT_SCAN: only this many characters of a subject are searched for case numbers
 *   (lib/cases/case-number.ts).
 * - MAX_MIME_PARTS: a mail with more MIME parts is not parsed (quarantined); the parser stops at
 *   the first part over the limit (lib/mail/parse-message.ts).
 * - MAX_ATTACHMENTS: only the first this many attachments of a mail are extracted; the item
 *   says how many were left out (`attachmentsOmitted` and a note).
 * - MAX_ATTACHMENT_NAME_BYTES: attachment file names are cut to this many UTF-8 bytes, keeping
 *   the extension (lib/mail/attachment-name.ts).
 */

/** Element nesting kept in HTML; deeper elements lose their tags (not their text). */
export const MAX_HTML_DEPTH = 200;

/** Characters of a mail's text (or of its HTML converted to text) read for Field lines. */
export const MAX_FIELD_TEXT_LENGTH = 256 * 1024;

/** `Field = Value` lines taken from one mail; further lines are ignored with a note. */
export const MAX_FIELD_LINES = 200;

/** Characters of a field name; a line with a longer name is no Field line. */
export const MAX_FIELD_NAME_LENGTH = 64;

/** Characters of one field value; a longer value is invalid (not applied, not cut). */
export const MAX_FIELD_VALUE_LENGTH = 10_000;

/** Characters of a subject searched for case numbers. */
export const MAX_SUBJECT_SCAN = 4000;

/** MIME parts (all levels) of one mail; mailparser's default, stated here so it stays put. */
export const MAX_MIME_PARTS = 1000;

/** Attachments extracted from one mail; the rest stay only in the raw message. */
export const MAX_ATTACHMENTS = 100;

/** UTF-8 bytes of an attachment's file name (most file systems allow 255). */
export const MAX_ATTACHMENT_NAME_BYTES = 255;
