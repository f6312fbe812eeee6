import type {
	IBinaryKeyData,
	IDataObject,
	INodeExecutionData,
	ITriggerFunctions,
} from 'n8n-workflow';
import { mailContentDigest } from '../../lib/cases/mail-content-digest';
import { messageKeyOfMail } from '../../lib/cases/mail-ledger-key';
import type { Classification, ParsedMessage } from '../../lib/mail/types';
import type { TriggerSettings } from './trigger-settings';

/** Headers always included in the item (the rest with "Include All Headers"). */
const SELECTED_HEADERS = [
	'auto-submitted',
	'x-auto-response-suppress',
	'precedence',
	'list-id',
	'return-path',
	'x-mail-cases-loop',
	'x-loop',
	'content-language',
	// #11.7: Case Match's "Trusted Authentication-Results Server" reads the receiving server's verdict
	'authentication-results',
];

export interface MailboxInfo {
	protocol: string;
	folder: string;
	key: string;
	mailbox: string;
}

/** Parsed mail → n8n item: JSON fields plus attachments (and optionally the .eml) as binary. */
export async function mailToItem(
	ctx: ITriggerFunctions,
	parsed: ParsedMessage,
	classification: Classification,
	raw: Buffer,
	mailbox: MailboxInfo,
	settings: TriggerSettings,
): Promise<INodeExecutionData> {
	const binary: IBinaryKeyData = {};
	const attachments: IDataObject[] = [];
	for (const [index, attachment] of parsed.attachments.entries()) {
		const property = `${settings.attachmentPrefix}${index}`;
		binary[property] = await ctx.helpers.prepareBinaryData(
			attachment.content,
			attachment.filename,
			attachment.contentType,
		);
		attachments.push({
			binaryProperty: property,
			filename: attachment.filename,
			contentType: attachment.contentType,
			size: attachment.size,
			contentId: attachment.contentId ?? null,
			inline: attachment.inline,
		});
	}
	if (settings.includeRaw) {
		binary.message = await ctx.helpers.prepareBinaryData(raw, 'message.eml', 'message/rfc822');
	}
	const headers: IDataObject = {};
	for (const [name, value] of Object.entries(parsed.headers)) {
		if (settings.includeAllHeaders || SELECTED_HEADERS.includes(name)) headers[name] = value;
	}
	// #13.1: the key of the mail in the ledger and in Send Once Per: its Message-ID, or
	// sha256:<content digest> when it has none; #13.2: the digest tells it from another mail
	// under the same Message-ID (both leave out the trace headers servers add)
	const contentDigest = mailContentDigest(raw);
	return {
		json: {
			messageId: parsed.messageId,
			messageKey: messageKeyOfMail({ messageId: parsed.messageId, contentDigest }),
			contentDigest,
			subject: parsed.subject,
			from: parsed.from as unknown as IDataObject,
			to: parsed.to as unknown as IDataObject[],
			cc: parsed.cc as unknown as IDataObject[],
			replyTo: parsed.replyTo as unknown as IDataObject[],
			date: parsed.date,
			inReplyTo: parsed.inReplyTo,
			references: parsed.references,
			text: parsed.text,
			html: parsed.html,
			headers,
			size: parsed.size,
			rawHash: parsed.rawHash,
			attachments,
			attachmentsOmitted: parsed.attachmentsOmitted ?? 0,
			...(parsed.notes?.length ? { notes: parsed.notes } : {}),
			mailbox: mailbox as unknown as IDataObject,
			classification: classification as unknown as IDataObject,
		},
		binary: Object.keys(binary).length ? binary : undefined,
	};
}
