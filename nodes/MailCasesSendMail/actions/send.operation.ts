import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MailCasesError } from '../../../lib/errors';
import { buildOutgoingMessage, type OutgoingAttachment } from '../../../lib/mail/outgoing-message';
import type { MailSender } from '../../../lib/protocols/mail-sender';

const show = { show: { operation: ['send'] } };

export const sendProperties: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		displayOptions: show,
		placeholder: 'info@example.com, "Erika Mustermann" <erika@example.com>',
		description: 'Recipients, separated by commas',
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Email Format',
		name: 'emailFormat',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'HTML', value: 'html' },
			{ name: 'Both', value: 'both' },
		],
		default: 'text',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 5 },
		default: '',
		displayOptions: { show: { operation: ['send'], emailFormat: ['text', 'both'] } },
	},
	{
		displayName: 'HTML',
		name: 'html',
		type: 'string',
		typeOptions: { rows: 5, editor: 'htmlEditor' },
		default: '',
		displayOptions: { show: { operation: ['send'], emailFormat: ['html', 'both'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'string',
				default: '',
				placeholder: 'data, invoice',
				description: 'Names of the binary properties of the input item to attach, separated by commas',
			},
			{ displayName: 'BCC', name: 'bcc', type: 'string', default: '' },
			{ displayName: 'CC', name: 'cc', type: 'string', default: '' },
			{
				displayName: 'Custom Headers',
				name: 'headers',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'In-Reply-To',
				name: 'inReplyTo',
				type: 'string',
				default: '',
				placeholder: '<message-ID@example.com>',
				description: 'Message-ID of the mail this one answers, for threading',
			},
			{
				displayName: 'Message-ID',
				name: 'messageId',
				type: 'string',
				default: '',
				description: 'Message-ID to use; a new one is generated when empty',
			},
			{
				displayName: 'References',
				name: 'references',
				type: 'string',
				default: '',
				description: 'Message-IDs of the thread, separated by spaces',
			},
			{ displayName: 'Reply-To', name: 'replyTo', type: 'string', default: '' },
		],
	},
];

interface SendOptions {
	attachments?: string;
	bcc?: string;
	cc?: string;
	headers?: { header?: Array<{ name: string; value: string }> };
	inReplyTo?: string;
	messageId?: string;
	references?: string;
	replyTo?: string;
}

async function readAttachments(ctx: IExecuteFunctions, itemIndex: number, names: string): Promise<OutgoingAttachment[]> {
	const result: OutgoingAttachment[] = [];
	for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) {
		const item = ctx.getInputData()[itemIndex];
		if (!item.binary?.[name]) {
			throw new MailCasesError('INVALID_INPUT', `The input item has no binary property "${name}" to attach.`);
		}
		const meta = ctx.helpers.assertBinaryData(itemIndex, name);
		const content = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
		result.push({ filename: meta.fileName ?? name, content, contentType: meta.mimeType });
	}
	return result;
}

/** Send: one mail per input item through the execution's sender (SMTP pool or Graph client). */
export async function send(ctx: IExecuteFunctions, itemIndex: number, sender: MailSender): Promise<INodeExecutionData> {
	const format = ctx.getNodeParameter('emailFormat', itemIndex) as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as SendOptions;
	const headers: Record<string, string> = {};
	for (const { name, value } of options.headers?.header ?? []) if (name) headers[name] = value;
	const message = buildOutgoingMessage({
		from: sender.from,
		to: ctx.getNodeParameter('to', itemIndex) as string,
		cc: options.cc,
		bcc: options.bcc,
		replyTo: options.replyTo,
		subject: ctx.getNodeParameter('subject', itemIndex, '') as string,
		text: format !== 'html' ? (ctx.getNodeParameter('text', itemIndex, '') as string) : undefined,
		html: format !== 'text' ? (ctx.getNodeParameter('html', itemIndex, '') as string) : undefined,
		attachments: options.attachments ? await readAttachments(ctx, itemIndex, options.attachments) : [],
		headers,
		inReplyTo: options.inReplyTo || undefined,
		references: options.references || undefined,
		messageId: options.messageId || undefined,
	});
	const result = await sender.send(message);
	return {
		json: {
			messageId: result.messageId,
			accepted: result.accepted,
			rejected: result.rejected,
			response: result.response,
			from: message.from.address,
			subject: message.subject,
			profileIsDefault: sender.isDefault,
			sentThrough: sender.kind,
		},
		pairedItem: { item: itemIndex },
	};
}
