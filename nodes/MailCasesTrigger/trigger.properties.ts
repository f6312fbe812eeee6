import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_IGNORE_SUBJECT_KEYWORDS } from '../../lib/mail/classify';

const classAction = (
	displayName: string,
	name: string,
	fallback: string,
	description: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'options',
	options: [
		{
			name: 'Emit as Mail',
			value: 'emit',
			description: 'Treat it like any other mail (first output)',
		},
		{
			// The value stays 'skip': saved workflows that chose "Skip and Remove" now move aside.
			name: 'Move Aside (Skipped Mail Folder)',
			value: 'skip',
			description:
				'Do not start the workflow. IMAP, Exchange: move it to the Skipped Mail Folder, its class as keyword or category, and log it. POP3 cannot move mail: it is emitted on the second output.',
		},
		{
			name: 'Route to Second Output',
			value: 'route',
			description: 'Emit it on the "Auto-Replies & Bounces" output',
		},
		{
			name: 'Delete',
			value: 'delete',
			description:
				'Do not start the workflow; delete it from the server. Only a line in the n8n log is left.',
		},
	],
	default: fallback,
	description,
});

/** Values of "Mailbox Type": which profile (credential) the trigger reads. */
export const MAILBOX_TYPE = { mailbox: 'mailbox', exchange: 'exchange' } as const;

const forMailbox = { show: { mailboxType: ['mailbox'] } };
const forExchange = { show: { mailboxType: ['exchange'] } };

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Mailbox Type',
		name: 'mailboxType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'IMAP / POP3 Mailbox Profile',
				value: 'mailbox',
				description: 'Read an IMAP folder or a POP3 inbox',
			},
			{
				name: 'Exchange Profile (Microsoft Graph)',
				value: 'exchange',
				description: 'Read a folder of a Microsoft 365 mailbox through an Azure app registration',
			},
		],
		default: 'mailbox',
		description: 'Which kind of profile the mail is read from',
	},
	{
		displayName: 'After Success',
		name: 'disposition',
		type: 'options',
		displayOptions: forMailbox,
		options: [
			{
				name: 'Delete From Server',
				value: 'delete',
				description: 'Remove the mail once its run succeeded (IMAP UID EXPUNGE, POP3 DELE)',
			},
			{ name: 'Move to Folder (IMAP)', value: 'move' },
			{
				name: 'Mark as Read and Keep',
				value: 'markSeen',
				description: 'IMAP: flag as seen and processed; POP3: leave on the server and remember it',
			},
		],
		default: 'delete',
		description:
			'What happens to a mail after the workflow run for it succeeded. A failed run leaves the mail where it is.',
	},
	{
		displayName: 'After Success',
		name: 'disposition',
		type: 'options',
		displayOptions: forExchange,
		options: [
			{
				name: 'Move to Deleted Items',
				value: 'delete',
				description:
					'Graph "delete" as Outlook does it: the mail can still be restored from Deleted Items',
			},
			{
				name: 'Delete Permanently',
				value: 'permanentDelete',
				description:
					'Graph permanentDelete: the mail cannot be restored by the user (global cloud only)',
			},
			{ name: 'Move to Folder', value: 'move' },
			{
				name: 'Mark as Read and Keep',
				value: 'markSeen',
				description:
					'Mark read and set the category MailCases-Done; the mail stays in the folder and is not read again',
			},
		],
		default: 'delete',
		description:
			'What happens to a mail after the workflow run for it succeeded. A failed run leaves the mail where it is.',
	},
	{
		displayName: 'Move to Folder',
		name: 'moveFolder',
		type: 'string',
		default: 'Processed',
		displayOptions: { show: { disposition: ['move'] } },
		description:
			'IMAP folder, or Exchange folder: a name or a path like Inbox/Done, created when missing',
	},
	{
		displayName: 'Ignore Subject Keywords',
		name: 'ignoreSubjectKeywords',
		type: 'string',
		default: DEFAULT_IGNORE_SUBJECT_KEYWORDS.join(', '),
		description:
			'Subjects containing one of these words (comma-separated, case-insensitive) count as auto-replies, except in a reply to a case or to mail this system sent: such a mail stays a normal mail, flagged as probably automatic',
	},
	classAction(
		'Auto-Replies',
		'autoReplyAction',
		'skip',
		'Out-of-office and other automatic answers',
	),
	classAction(
		'Bounces',
		'bounceAction',
		'route',
		'Delivery status notifications (undeliverable mail)',
	),
	classAction(
		'Abuse Reports',
		'reportAction',
		'route',
		'Spam and abuse feedback reports (ARF): routed like bounces',
	),
	classAction('Mailing Lists', 'listAction', 'emit', 'Mail with List-ID or Precedence: list/bulk'),
	classAction('Loops', 'loopAction', 'skip', 'Mail this package sent itself, or carrying X-Loop'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attachment Property Prefix',
				name: 'attachmentPrefix',
				type: 'string',
				default: 'attachment_',
				description: 'Attachments become binary properties named prefix + number',
			},
			{
				displayName: 'Connection Timeout (Seconds)',
				name: 'connectionTimeoutSeconds',
				type: 'number',
				default: 20,
				typeOptions: { minValue: 1 },
				description:
					'How long to wait for the mail server: connecting, the greeting, and the liveness check that finds connections that died without a word (half-open)',
			},
			{
				displayName: 'Execution Timeout (Minutes)',
				name: 'executionTimeoutMinutes',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1 },
				description:
					'A run that reports no result in this time counts as failed; its mails are tried again',
			},
			{
				displayName: 'Include All Headers',
				name: 'includeAllHeaders',
				type: 'boolean',
				default: false,
			},
			{
				displayName: 'Include Raw Message',
				name: 'includeRaw',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the original message as binary property "message" (.eml), needed to forward it',
			},
			{
				displayName: 'Mails per Execution',
				name: 'mailsPerExecution',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 1, maxValue: 100 },
				description:
					'How many mails one workflow run gets. A failed run leaves all of its mails; each is then retried alone.',
			},
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 1 },
				description:
					'Attempts after which a mail is moved to quarantine (IMAP, Exchange) or no longer retried (POP3). Counted before each run, so a run that crashes or hangs n8n counts too.',
			},
			{
				displayName: 'Max Concurrent Executions',
				name: 'maxConcurrentExecutions',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 1, maxValue: 20 },
				description:
					'Runs of this trigger that may be in progress at once. Not set: 1, or 4 in n8n queue mode and multi-main setups so that the workers are used. POP3 always uses 1.',
			},
			{
				displayName: 'Max Message Size (MB)',
				name: 'maxMessageMb',
				type: 'number',
				default: 25,
				typeOptions: { minValue: 1 },
				description: 'Larger mails are quarantined instead of being read',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1 },
				description:
					'POP3 polls at this interval; IMAP waits with IDLE and checks at this interval as a safety net; Exchange lists the folder at this interval and looks for new mail (delta query) every 15 s in between',
			},
			{
				displayName: 'Quarantine Folder',
				name: 'quarantineFolder',
				type: 'string',
				default: 'Quarantine',
				description:
					'IMAP or Exchange folder for mails that cannot be processed (Exchange: created when missing, the reason is stored on the mail)',
			},
			{
				displayName: 'Retry Delay (Seconds)',
				name: 'retryDelaySeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0 },
				description:
					'Wait before the first retry of a failed mail; doubles with each further failure',
			},
			{
				displayName: 'Skipped Mail Folder',
				name: 'skippedFolder',
				type: 'string',
				default: 'Skipped',
				description:
					'IMAP or Exchange folder for mail that an action "Move Aside" skips, created when missing. Its class is recorded on the mail (IMAP keyword such as $MailCasesSkippedAutoReply) and in the n8n log.',
			},
		],
	},
];
