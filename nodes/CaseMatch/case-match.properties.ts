import type { INodeProperties } from 'n8n-workflow';
import {
	caseMatchSenderPolicyOptions,
	plusAddressingOption,
} from '../shared/sender-policy.properties';

const allowedSenders: INodeProperties = {
	displayName: 'Allowed Senders',
	name: 'senderPolicy',
	type: 'multiOptions',
	options: caseMatchSenderPolicyOptions,
	default: [],
	description:
		'Who may add mail to a case (any chosen rule suffices). A mail from another sender goes to the Unmatched output with reason "sender-not-allowed", or under "Signed Reference, Reply to Our Mail, or Participant" with the cause: "unsigned-reference-from-stranger", "invalid-reference-tag" or "reply-to-unknown-mail-from-stranger".',
};

export const caseMatchProperties: INodeProperties[] = [
	{
		displayName:
			'Matched mails leave on the first output with a <code>case</code> object; mails for no existing case, mails whose sender the policy refuses, and a mail that opened a case before (processed again after a crash: it takes the same way to Create Case From Mail) leave on the second with a <code>reason</code>',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	// two versions of one parameter: only the default differs (see defaultSenderPolicy)
	{
		...allowedSenders,
		default: ['anyone'],
		displayOptions: { show: { '@version': [1] } },
	},
	{
		...allowedSenders,
		default: ['signedOrParticipant'],
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Case Number Format',
				name: 'caseNumberFormat',
				type: 'string',
				default: '',
				placeholder: '{YYYY}-{SEQ:6}',
				description:
					"Format of case numbers ({YYYY}, {YY}, {SEQ:n}); empty = the store's format. Recognised: [#2026-000123], keyword forms such as Vorgang 2026-000123 or Ticket#2026-000123, and bare numbers.",
			},
			{
				displayName: 'Extra Keywords',
				name: 'keywords',
				type: 'string',
				default: '',
				placeholder: 'Reklamation, Auftrag',
				description: 'Words that may stand in front of a case number, separated by commas',
			},
			{
				displayName: 'Extra Patterns',
				name: 'patterns',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				placeholder: 'Schaden\\s+Nr\\.?\\s*(\\d{4}-\\d{6})',
				description:
					'Regular expressions, one per line, each with exactly one capturing group that yields the case number',
			},
			{
				displayName: 'Match Bare Numbers',
				name: 'bareNumbers',
				type: 'boolean',
				default: true,
				description:
					'Whether a number in the case format without any marker counts (dates, order and phone numbers are excluded)',
			},
			{
				displayName: 'Match Reply Headers',
				name: 'threadHeaders',
				type: 'boolean',
				default: true,
				description:
					'Whether a mail without a case number is matched through In-Reply-To / References against mails of a case',
			},
			plusAddressingOption,
			{
				displayName: 'Trusted Authentication-Results Server',
				name: 'trustedAuthservId',
				type: 'string',
				default: '',
				placeholder: 'mx.example.com',
				description:
					'The authserv-ID your receiving mail server writes into Authentication-Results (RFC 8601). When its topmost header says dmarc=fail, the From address proves nothing: the sender counts as a stranger (reason from-failed-dmarc). Set it only when that server always adds the header and removes forged ones with its ID. Empty = the header is not read.',
			},
		],
	},
];
