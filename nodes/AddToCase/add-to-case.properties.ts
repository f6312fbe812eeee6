import type { INodeProperties } from 'n8n-workflow';
import { decimalSeparatorOption, fieldLineOptions } from '../shared/field-line-options';
import { plusAddressingOption, senderPolicyOptions } from '../shared/sender-policy.properties';

const withFields = { show: { applyFields: [true] } };

export const addToCaseProperties: INodeProperties[] = [
	{
		displayName: 'Case Number',
		name: 'caseNumber',
		type: 'string',
		default: '={{ $json.case.number }}',
		required: true,
		placeholder: '2026-000123',
		description: 'The case the mail belongs to; behind Case Match its matched case',
	},
	{
		displayName: 'Apply Field Lines',
		name: 'applyFields',
		type: 'boolean',
		default: false,
		description:
			'Whether lines like "Name = Mustermann" in the mail set the same-named fields of the case form, in the same transaction as the mail, so a mail processed twice changes nothing the second time',
	},
	{
		displayName: 'Senders Who May Set Fields',
		name: 'fieldSenderPolicy',
		type: 'multiOptions',
		options: senderPolicyOptions,
		default: ['caseParticipant'],
		displayOptions: withFields,
		description:
			'Whose field lines are applied (any chosen rule suffices); the mail of another sender is still stored, its fields are reported as rejected',
	},
	{
		displayName: 'Field Options',
		name: 'fieldOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: withFields,
		options: [...fieldLineOptions, decimalSeparatorOption, plusAddressingOption],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Remote Images',
				name: 'allowRemoteImages',
				type: 'boolean',
				default: false,
				description:
					"Whether http(s) images stay in the stored HTML (they load from the sender's server when shown)",
			},
			{
				displayName: 'Attachments Over the Store Limit',
				name: 'oversized',
				type: 'options',
				options: [
					{
						name: 'Fail',
						value: 'error',
						description: 'The mail is not stored; the trigger retries and quarantines it',
					},
					{
						name: 'Store Without Content',
						value: 'metadata',
						description: 'Keep file names, types and sizes only',
					},
				],
				default: 'error',
			},
			{
				displayName: 'Store HTML',
				name: 'keepHtml',
				type: 'boolean',
				default: true,
				description: 'Whether the sanitised HTML body is stored next to the text',
			},
		],
	},
];
