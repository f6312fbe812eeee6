import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { MailCasesError } from '../../lib/errors';
import { validMailbox } from '../../lib/mail/address';
import { safeAttachmentName } from '../../lib/mail/attachment-name';
import type { MailAddress, MailAttachment, ParsedMessage } from '../../lib/mail/types';

/**
 * A mail as the case nodes get it: the item the Mail Cases Trigger emits (JSON fields plus
 * attachments as binary properties), read back into the engine's ParsedMessage shape.
 * `raw` is the original message when the trigger added it ("Include Raw Message").
 */
export interface MailFromItem extends Omit<ParsedMessage, 'attachments'> {
	attachments: MailAttachment[];
	raw?: Buffer;
	/** #13.1: the trigger's `messageKey` (the Message-ID, or `sha256:<hex>` without one). */
	messageKey: string | null;
	/** #13.2: the trigger's `contentDigest` (lib/cases/mail-content-digest.ts). */
	contentDigest: string | null;
}

/**
 * The item's addresses that are exactly one valid mailbox each (#11.6: an item edited by other
 * nodes, or from an older trigger, may carry `<a@x,b@y>` as one "address"); others are dropped.
 */
const addresses = (value: unknown): MailAddress[] => {
	if (!Array.isArray(value)) return [];
	const result: MailAddress[] = [];
	for (const a of value) {
		if (!a || typeof a !== 'object') continue;
		const address = validMailbox((a as MailAddress).address);
		const name = (a as MailAddress).name;
		if (address) result.push({ address, name: typeof name === 'string' ? name : '' });
	}
	return result;
};

/** Reads the trigger's mail item at `itemIndex`; `withContent` loads attachment bytes. */
export async function mailFromItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: { withContent?: boolean } = {},
): Promise<MailFromItem> {
	const item = ctx.getInputData()[itemIndex];
	const json = item.json as IDataObject;
	if (
		typeof json.subject !== 'string' &&
		typeof json.messageId !== 'string' &&
		typeof json.messageKey !== 'string' &&
		!json.from
	) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'The input item is not a mail. Connect this node behind the Mail Cases Trigger (or an item with its fields: messageId, subject, from, text, ...).',
		);
	}
	const attachments: MailAttachment[] = [];
	for (const meta of (Array.isArray(json.attachments) ? json.attachments : []) as IDataObject[]) {
		const property = String(meta.binaryProperty ?? '');
		if (!property || !item.binary?.[property]) continue;
		const content = options.withContent
			? await ctx.helpers.getBinaryDataBuffer(itemIndex, property)
			: Buffer.alloc(0);
		attachments.push({
			filename: safeAttachmentName(
				String(meta.filename ?? item.binary[property].fileName ?? ''),
				property,
			),
			filenameGiven: true,
			contentType: String(
				meta.contentType ?? item.binary[property].mimeType ?? 'application/octet-stream',
			),
			size: Number(meta.size ?? content.length),
			contentId: typeof meta.contentId === 'string' ? meta.contentId : undefined,
			inline: meta.inline === true,
			content,
			checksum: '',
		});
	}
	const from =
		json.from && typeof json.from === 'object' ? (addresses([json.from])[0] ?? null) : null;
	return {
		messageId: typeof json.messageId === 'string' ? json.messageId : null,
		subject: typeof json.subject === 'string' ? json.subject : '',
		from,
		to: addresses(json.to),
		cc: addresses(json.cc),
		bcc: [],
		replyTo: addresses(json.replyTo),
		date: typeof json.date === 'string' ? json.date : null,
		inReplyTo: typeof json.inReplyTo === 'string' ? json.inReplyTo : null,
		references: Array.isArray(json.references) ? json.references.map(String) : [],
		headers: (json.headers && typeof json.headers === 'object'
			? json.headers
			: {}) as ParsedMessage['headers'],
		size: Number(json.size ?? 0),
		rawHash: typeof json.rawHash === 'string' ? json.rawHash : '',
		text: typeof json.text === 'string' ? json.text : '',
		html: typeof json.html === 'string' ? json.html : null,
		attachments,
		raw: item.binary?.message
			? await ctx.helpers.getBinaryDataBuffer(itemIndex, 'message')
			: undefined,
		// #13.1 / #13.2: the trigger's key and content digest of the mail
		messageKey: typeof json.messageKey === 'string' ? json.messageKey : null,
		contentDigest: typeof json.contentDigest === 'string' ? json.contentDigest : null,
	};
}
