import MailComposer from 'nodemailer/lib/mail-composer';
import { MailCasesError } from '../../errors';
import {
	toNodemailerOptions,
	type OutgoingAttachment,
	type OutgoingMessage,
} from '../../mail/outgoing-message';
import type { ExchangeProfile } from './exchange-profile';
import { GraphClient, type GraphClientOptions } from './graph-client';

/**
 * Sends mail through Microsoft Graph (https://learn.microsoft.com/graph/api/user-sendmail).
 *
 * Normal path: the message is composed as MIME by nodemailer (the same composer as SMTP) and
 * posted base64-encoded to `sendMail` (Content-Type text/plain) — the exact bytes, with our
 * threading headers (In-Reply-To, References), loop header and attachments. Bcc stays in the
 * MIME headers because Exchange takes the recipients from them (and drops Bcc on delivery).
 *
 * Graph accepts requests up to 4 MB, so MIME above 3 MB (4 MB in base64) goes another way
 * (https://learn.microsoft.com/graph/outlook-large-attachments): a draft is created from the MIME
 * of the message without attachments, each attachment is added (POST for < 3 MB, an upload
 * session with byte ranges for 3–150 MB), then the draft is sent. Exchange renders that mail
 * itself, so its MIME is not byte-identical to ours; headers and content are kept.
 */
export const MIME_SEND_LIMIT_BYTES = 3 * 1024 * 1024;
/** Attachments from this size on need an upload session; below it a single POST. */
export const UPLOAD_SESSION_MIN_BYTES = 3 * 1024 * 1024;
/** Largest attachment Graph takes through an upload session. */
export const GRAPH_ATTACHMENT_LIMIT_BYTES = 150 * 1024 * 1024;
/** Bytes per PUT of an upload session (Graph asks for less than 4 MB). */
export const UPLOAD_CHUNK_BYTES = 3 * 1024 * 1024;

export interface GraphSendResult {
	messageId: string;
	/** Everyone the message was addressed to: Graph accepts or refuses the message as a whole. */
	accepted: string[];
	rejected: string[];
	response: string;
	/** `mime`: sendMail with our MIME; `draft`: draft + attachments (large mail). */
	method: 'mime' | 'draft';
	/** Bytes handed to Graph (MIME, or draft MIME plus attachment bytes). */
	size: number;
}

export interface GraphSenderOptions {
	client?: GraphClient;
	clientOptions?: GraphClientOptions;
	/** Largest raw MIME posted to sendMail directly. Default 3 MB. */
	mimeSendLimitBytes?: number;
	/** Largest total message accepted at all. Default 150 MB (Graph's attachment maximum). */
	maxMessageBytes?: number;
	uploadChunkBytes?: number;
}

/** The MIME bytes sent for a message (nodemailer's composer; Bcc kept for Exchange). */
export async function composeMime(message: OutgoingMessage): Promise<Buffer> {
	const options = {
		...toNodemailerOptions(message),
		disableFileAccess: true,
		disableUrlAccess: true,
	};
	const node = new MailComposer(options as never).compile();
	node.keepBcc = true;
	return node.build();
}

function recipients(message: OutgoingMessage): string[] {
	return [...message.to, ...message.cc, ...message.bcc].map((a) => a.address);
}

export class GraphSender {
	readonly client: GraphClient;
	private readonly mimeLimit: number;
	private readonly maxMessageBytes: number;
	private readonly chunkBytes: number;

	constructor(profile: ExchangeProfile, options: GraphSenderOptions = {}) {
		this.client = options.client ?? new GraphClient(profile, options.clientOptions);
		this.mimeLimit = options.mimeSendLimitBytes ?? MIME_SEND_LIMIT_BYTES;
		this.maxMessageBytes = options.maxMessageBytes ?? GRAPH_ATTACHMENT_LIMIT_BYTES;
		this.chunkBytes = options.uploadChunkBytes ?? UPLOAD_CHUNK_BYTES;
	}

	/** Gets a token (checks tenant, client id and secret/certificate). */
	async verify(): Promise<void> {
		await this.client.tokens.getToken();
	}

	async send(message: OutgoingMessage): Promise<GraphSendResult> {
		for (const attachment of message.attachments) {
			if (attachment.content.length > GRAPH_ATTACHMENT_LIMIT_BYTES) {
				throw new MailCasesError(
					'MESSAGE_TOO_LARGE',
					`Attachment "${attachment.filename}" has ${attachment.content.length} bytes; Microsoft Graph accepts attachments up to 150 MB.`,
				);
			}
		}
		const raw = await composeMime(message);
		if (raw.length > this.maxMessageBytes) {
			throw new MailCasesError(
				'MESSAGE_TOO_LARGE',
				`The mail has ${raw.length} bytes; Microsoft Graph sends mails up to ${this.maxMessageBytes} bytes (Exchange Online: the mailbox's limit, 35 MB by default, 150 MB at most).`,
			);
		}
		if (raw.length <= this.mimeLimit) return this.sendMime(raw, message);
		return this.sendViaDraft(message);
	}

	/** Posts ready MIME to sendMail (MIME of at most ~3 MB: the request limit is 4 MB in base64). */
	async sendMime(
		raw: Buffer,
		message: Pick<OutgoingMessage, 'messageId' | 'to' | 'cc' | 'bcc'>,
	): Promise<GraphSendResult> {
		if (raw.length > this.mimeLimit) {
			throw new MailCasesError(
				'MESSAGE_TOO_LARGE',
				`The MIME message has ${raw.length} bytes; Microsoft Graph's sendMail takes at most ${this.mimeLimit} bytes of MIME (4 MB request limit, base64).`,
			);
		}
		await this.client.request({
			method: 'POST',
			path: `${this.client.userPath}/sendMail`,
			body: raw.toString('base64'),
			contentType: 'text/plain',
			what: 'sending a mail',
			permission: 'Mail.Send',
		});
		return {
			messageId: message.messageId,
			accepted: recipients(message as OutgoingMessage),
			rejected: [],
			response: '202 Accepted',
			method: 'mime',
			size: raw.length,
		};
	}

	private async sendViaDraft(message: OutgoingMessage): Promise<GraphSendResult> {
		const draftMime = await composeMime({ ...message, attachments: [] });
		if (draftMime.length > this.mimeLimit) {
			throw new MailCasesError(
				'MESSAGE_TOO_LARGE',
				`The text of the mail alone has ${draftMime.length} bytes; Microsoft Graph takes at most ${this.mimeLimit} bytes of MIME in one request.`,
			);
		}
		const draft = await this.client.json<{ id: string }>({
			method: 'POST',
			path: `${this.client.userPath}/messages`,
			body: draftMime.toString('base64'),
			contentType: 'text/plain',
			what: 'creating a draft for a large mail',
			permission: 'Mail.ReadWrite',
		});
		const draftPath = `${this.client.userPath}/messages/${encodeURIComponent(draft.id)}`;
		let size = draftMime.length;
		try {
			for (const attachment of message.attachments) {
				await this.attach(draftPath, attachment);
				size += attachment.content.length;
			}
			await this.client.request({
				method: 'POST',
				path: `${draftPath}/send`,
				what: 'sending a large mail',
				permission: 'Mail.Send',
			});
		} catch (error) {
			await this.client
				.request({
					method: 'DELETE',
					path: draftPath,
					what: 'removing the unsent draft',
					permission: 'Mail.ReadWrite',
					accept: [404],
				})
				.catch(() => undefined);
			throw error;
		}
		return {
			messageId: message.messageId,
			accepted: recipients(message),
			rejected: [],
			response: '202 Accepted',
			method: 'draft',
			size,
		};
	}

	private async attach(draftPath: string, attachment: OutgoingAttachment): Promise<void> {
		const contentType = attachment.contentType || 'application/octet-stream';
		const inline = !!attachment.cid || attachment.contentDisposition === 'inline';
		const what = `attaching "${attachment.filename}" to a large mail`;
		if (attachment.content.length < UPLOAD_SESSION_MIN_BYTES) {
			await this.client.request({
				method: 'POST',
				path: `${draftPath}/attachments`,
				json: {
					'@odata.type': '#microsoft.graph.fileAttachment',
					name: attachment.filename,
					contentType,
					contentBytes: attachment.content.toString('base64'),
					isInline: inline,
					...(attachment.cid ? { contentId: attachment.cid } : {}),
				},
				what,
				permission: 'Mail.ReadWrite',
			});
			return;
		}
		const session = await this.client.json<{ uploadUrl?: string }>({
			method: 'POST',
			path: `${draftPath}/attachments/createUploadSession`,
			json: {
				AttachmentItem: {
					attachmentType: 'file',
					name: attachment.filename,
					size: attachment.content.length,
					contentType,
					isInline: inline,
					...(attachment.cid ? { contentId: attachment.cid } : {}),
				},
			},
			what,
			permission: 'Mail.ReadWrite',
		});
		if (!session.uploadUrl || !/^https:\/\//i.test(session.uploadUrl)) {
			throw new MailCasesError(
				'PROTOCOL_ERROR',
				`Microsoft Graph returned no usable upload URL while ${what}.`,
			);
		}
		const total = attachment.content.length;
		for (let start = 0; start < total; start += this.chunkBytes) {
			const end = Math.min(start + this.chunkBytes, total) - 1;
			// The upload URL is pre-authenticated: no Authorization header (it may be another host).
			const response = await this.client.request({
				method: 'PUT',
				path: session.uploadUrl,
				body: attachment.content.subarray(start, end + 1),
				contentType: 'application/octet-stream',
				headers: { 'Content-Range': `bytes ${start}-${end}/${total}` },
				anonymous: true,
				what,
			});
			const last = end === total - 1;
			if (last && response.status !== 201 && response.status !== 200) {
				throw new MailCasesError(
					'PROTOCOL_ERROR',
					`The upload of "${attachment.filename}" did not complete (HTTP ${response.status}).`,
				);
			}
		}
	}

	close(): void {
		this.client.close();
	}
}
