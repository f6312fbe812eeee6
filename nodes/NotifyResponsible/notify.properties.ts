import type { INodeProperties } from 'n8n-workflow';

export const notifyProperties: INodeProperties[] = [
	{
		displayName: 'Case Number',
		name: 'caseNumber',
		type: 'string',
		required: true,
		default: '={{ $json.case ? $json.case.number : $json.caseNumber }}',
		placeholder: '2026-000123',
		description:
			'Number of the case whose responsible org unit / role is notified. The default reads it from the item of Create Case from Mail or Add to Case (case.number).',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Additional Recipients',
				name: 'additionalRecipients',
				type: 'string',
				default: '',
				placeholder: 'teamlead@example.com',
				description:
					'Addresses notified besides the members of the responsible org unit / role, separated by commas',
			},
			{
				displayName: 'Excerpt Length',
				name: 'excerptLength',
				type: 'number',
				default: 500,
				typeOptions: { minValue: 0 },
				description:
					'Longest excerpt of the message in characters (quoted text and signature are never shown); 0 leaves it out',
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
				description: 'Language of the notification text',
			},
			{
				displayName: 'Notify the Sender Too',
				name: 'includeSender',
				type: 'boolean',
				default: false,
				description:
					'Whether a member of the org unit who wrote the mail is notified about it as well',
			},
			{
				displayName: 'On Permanent Rejection',
				name: 'onPermanentRejection',
				type: 'options',
				options: [
					{
						name: 'Fail',
						value: 'fail',
						description: 'The rejection is recorded on the case, then the item fails',
					},
					{
						name: 'Record and Continue',
						value: 'recordAndContinue',
						description:
							'The rejection is recorded on the case and the item goes on with notified: false, outcome: rejected and the reply',
					},
				],
				default: 'fail',
				description:
					'What happens when the mail server refuses the recipients or the notification for good (SMTP 5xx, e.g. 550 user unknown; Exchange: an invalid address). Temporary failures (4xx, no connection, timeout) always fail the item, so the incoming mail is tried again.',
			},
			{
				displayName: 'Reply-To',
				name: 'replyTo',
				type: 'string',
				default: '',
				placeholder: 'cases@example.com',
				description:
					'Where replies to the notification go; use the mailbox the Mail Cases Trigger reads, so a reply becomes part of the case',
			},
			{
				displayName: 'Subject',
				name: 'subject',
				type: 'string',
				default: '',
				description:
					'Own subject instead of "New message: " and the original subject; the signed case reference [#number-tag] is always put in front',
			},
		],
	},
];
