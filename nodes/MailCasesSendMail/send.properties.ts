import type { INodeProperties } from 'n8n-workflow';
import {
	limitPerRecipientOption,
	limitPeriodOption,
	replyToIncomingOption,
} from './reply.properties';

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
				description:
					'Names of the binary properties of the input item to attach, separated by commas',
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
			limitPerRecipientOption,
			limitPeriodOption,
			{
				displayName: 'Message-ID',
				name: 'messageId',
				type: 'string',
				default: '',
				description:
					'Message-ID to use; a new one is generated when empty. Not together with Send Once Per.',
			},
			{
				displayName: 'On Permanent Rejection',
				name: 'onPermanentRejection',
				type: 'options',
				options: [
					{
						name: 'Fail',
						value: 'fail',
						description:
							'The item fails (with Record on Case the rejection is recorded on the case first)',
					},
					{
						name: 'Record and Continue',
						value: 'recordAndContinue',
						description:
							'The rejection is recorded on the case (with Record on Case) and the item goes on with sent: false, outcome: rejected and the reply',
					},
				],
				default: 'fail',
				description:
					"What happens when the mail server refuses the recipient or the mail for good (SMTP 5xx, e.g. 550 user unknown; Exchange: an invalid address). Temporary failures (4xx, no connection, timeout) always fail the item, so the incoming mail is tried again. Record and Continue suits optional mails such as acknowledgements: a typo'd address does not hold up the customer's mail.",
			},
			{
				displayName: 'Record on Case',
				name: 'caseNumber',
				type: 'string',
				default: '',
				placeholder: '={{ $json.case.number }}',
				description:
					"Number of a case (it must exist) on which the sent mail is recorded: it appears in the case's history (To, subject, Message-ID and whether it was sent, rejected or failed) and its Message-ID is linked to the case, so a reply to this mail finds the case even without the case number in the subject. The subject gets the signed reference of the case [#number-tag] (an unsigned [#number] in it is replaced). Uses the node's Mail Cases Store credential, or the embedded store when none is set.",
			},
			{
				displayName: 'References',
				name: 'references',
				type: 'string',
				default: '',
				description: 'Message-IDs of the thread, separated by spaces',
			},
			replyToIncomingOption,
			{ displayName: 'Reply-To', name: 'replyTo', type: 'string', default: '' },
			{
				displayName: 'Send Once Per',
				name: 'sendOnceKey',
				type: 'string',
				default: '',
				placeholder: '={{ $json.messageKey }}',
				description:
					"Needs Record on Case. A key, e.g. the incoming mail's messageKey (its Message-ID, or sha256:… of the mail when it has none); when empty, the input item's messageKey is used. The mail gets a Message-ID derived from this n8n instance, the case, the key and the sender domain, and is not sent again when that Message-ID is already recorded (the same mail processed again). Runs that send it at the same moment send it once: the first claims the key in the case store, the others wait for it. If n8n stops after sending but before recording, a run after 2 minutes sends it once more with the same Message-ID.",
			},
		],
	},
];
