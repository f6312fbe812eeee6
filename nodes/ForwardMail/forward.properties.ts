import type { INodeProperties } from 'n8n-workflow';

export const forwardProperties: INodeProperties[] = [
	{
		displayName: 'Forward To',
		name: 'forwardTo',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'backoffice@example.com',
		description: 'Forwarding address(es), separated by commas',
	},
	{
		displayName: 'Forward As',
		name: 'forwardAs',
		type: 'options',
		options: [
			{
				name: 'Original as Attachment (.eml)',
				value: 'attachment',
				description:
					'The original message unchanged as a message/rfc822 attachment; needs "Include Raw Message" in the Mail Cases Trigger',
			},
			{
				name: 'Inline',
				value: 'inline',
				description:
					'The original text and HTML below a "Forwarded message" block, its attachments attached again',
			},
		],
		default: 'attachment',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Add Loop Header',
				name: 'addLoopHeader',
				type: 'boolean',
				default: true,
				description:
					"Whether the forward carries this installation's loop header, so that it is recognised and skipped if it ever comes back into a mailbox read here. Switch off only when forwarding to ANOTHER mailbox that a Mail Cases Trigger of this n8n reads and that should process the forward.",
			},
			{
				displayName: 'Forward Once per Mail',
				name: 'forwardOnce',
				type: 'boolean',
				default: true,
				description:
					"Whether to record the forward in the case store's ledger, so that a mail processed again (retry, replay) is not forwarded to the same address twice",
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'options',
				options: [
					{ name: 'English', value: 'en' },
					{ name: 'German', value: 'de' },
				],
				default: 'en',
				description: 'Language of the "Forwarded message" block',
			},
			{
				displayName: 'Note',
				name: 'note',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Text placed above the forwarded message',
			},
			{
				displayName: 'Own Addresses',
				name: 'ownAddresses',
				type: 'string',
				default: '',
				placeholder: 'support@example.com, info@example.com',
				description:
					'Further addresses that deliver into the mailbox the mail was read from (aliases); forwarding to them is refused like forwarding to the mailbox itself',
			},
			{
				displayName: 'Subject Prefix',
				name: 'subjectPrefix',
				type: 'string',
				default: 'Fwd',
				description: 'Prefix of the subject, e.g. Fwd or WG',
			},
		],
	},
];
