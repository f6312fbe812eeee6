/**
 * R-PROC-2: an incoming mail as the content of a case activity.
 *
 *   - text as received; HTML sanitised (lib/mail/sanitize-html.ts: no script, no event
 *     handlers, no remote loads unless allowed) — the store keeps what it is given;
 *   - every attachment with its content, inline parts included: an inline image keeps its
 *     Content-ID, so the sanitised HTML's `cid:` reference still finds it in the case; its
 *     file name made safe (lib/mail/attachment-name.ts: no bidi/control characters, ≤ 255 bytes);
 *   - when the attachments together exceed the store's per-mail limit, `oversized: 'metadata'`
 *     keeps name, type and size of every attachment without content (the mail is still
 *     stored); the default `'error'` leaves the decision to the store, which refuses the mail.
 */
import { safeAttachmentName } from '../mail/attachment-name';
import type { MailAddress, MailAttachment } from '../mail/types';
import { sanitizeMailHtml } from '../mail/sanitize-html';
import type { AttachmentInput, MailActivityInput } from '../store/types';

export interface MailForActivity {
	messageId: string | null;
	subject: string;
	from: MailAddress | null;
	to: MailAddress[];
	cc: MailAddress[];
	text: string;
	html: string | null;
	attachments: Array<
		Pick<MailAttachment, 'filename' | 'contentType' | 'size' | 'contentId' | 'content'>
	>;
}

export interface MailActivityOptions {
	/** Keep `http(s):` images in the HTML (default false: no remote loads, no tracking). */
	allowRemoteImages?: boolean;
	/** Store the sanitised HTML (default true). */
	keepHtml?: boolean;
	/** `error` (default): the store refuses an over-limit mail; `metadata`: keep the files' metadata only. */
	oversized?: 'error' | 'metadata';
	/** The store's limit for all attachment contents of one mail, in bytes. */
	maxAttachmentBytes?: number;
}

export interface MailActivityBuild {
	mail: MailActivityInput;
	/** Images removed from the HTML because they would load from elsewhere. */
	blockedImages: number;
	/** True when the attachments were stored without content (over the limit). */
	attachmentsWithoutContent: boolean;
}

/** `"Name" <address>`, or the bare address when there is no name. */
export function formatMailAddress(a: MailAddress | null | undefined): string | null {
	if (!a || !a.address) return null;
	const name = (a.name ?? '').replace(/[\r\n]+/g, ' ').trim();
	if (!name) return a.address;
	return `"${name.replace(/(["\\])/g, '\\$1')}" <${a.address}>`;
}

export function mailActivityInput(
	mail: MailForActivity,
	options: MailActivityOptions = {},
): MailActivityBuild {
	const sanitized =
		options.keepHtml === false
			? null
			: sanitizeMailHtml(mail.html, { allowRemoteImages: options.allowRemoteImages === true });
	const total = mail.attachments.reduce((sum, a) => sum + (a.content?.length ?? 0), 0);
	const withoutContent =
		options.oversized === 'metadata' &&
		options.maxAttachmentBytes !== undefined &&
		total > options.maxAttachmentBytes;
	const attachments: AttachmentInput[] = mail.attachments.map((a, i) => ({
		fileName: safeAttachmentName(a.filename, `attachment-${i + 1}`),
		contentType: a.contentType,
		content: withoutContent ? null : a.content,
		size: a.content?.length ?? a.size,
		contentId: a.contentId ?? null,
	}));
	return {
		mail: {
			messageId: mail.messageId,
			from: formatMailAddress(mail.from),
			to: mail.to.map(formatMailAddress).filter((a): a is string => a !== null),
			cc: mail.cc.map(formatMailAddress).filter((a): a is string => a !== null),
			subject: mail.subject,
			text: mail.text === '' ? null : mail.text,
			html: sanitized && sanitized.html !== '' ? sanitized.html : null,
			attachments,
		},
		blockedImages: sanitized?.blockedImages ?? 0,
		attachmentsWithoutContent: withoutContent,
	};
}
