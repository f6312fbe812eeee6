import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { caCertificateProperty } from './tls-properties';

/**
 * Where cases live: the embedded SQLite file (default, no server) or a shared PostgreSQL for n8n
 * in queue mode with several workers (R-PLUS-7). Nodes without this credential use the embedded
 * file in the n8n user folder. Tested by the Mail Case node.
 */
export class MailCasesStore implements ICredentialType {
	name = 'mailCasesStore';

	displayName = 'Mail Cases Store';

	icon: Icon = { light: 'file:../icons/mail-cases.svg', dark: 'file:../icons/mail-cases.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mail-cases#case-store';

	properties: INodeProperties[] = [
		{
			displayName: 'Store',
			name: 'kind',
			type: 'options',
			options: [
				{
					name: 'Embedded (SQLite File)',
					value: 'sqlite',
					description: 'No server needed; for one n8n process',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description: 'Shared by several n8n workers (queue mode)',
				},
			],
			default: 'sqlite',
		},
		{
			displayName: 'SQLite File',
			name: 'path',
			type: 'string',
			default: '',
			placeholder: '~/.n8n/mail-cases.sqlite',
			displayOptions: { show: { kind: ['sqlite'] } },
			description: 'Path of the database file; empty = mail-cases.sqlite in the n8n user folder',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'n8n',
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'mail_cases',
			displayOptions: { show: { kind: ['postgres'] } },
			description: 'Schema that holds the tables; created on first use',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			// the values are those of earlier versions, so saved credentials keep their meaning
			options: [
				{ name: 'Disable', value: 'off', description: 'No encryption; only on a trusted network' },
				{
					name: 'Require',
					value: 'noVerify',
					description:
						'Encrypted, but the server certificate is not checked: protects against eavesdroppers, not against a server that pretends to be yours',
				},
				{
					name: 'Verify',
					value: 'verify',
					description:
						'Encrypted; the certificate must be signed by the CA below (empty: a public CA) and issued for the host name',
				},
			],
			default: 'off',
			displayOptions: { show: { kind: ['postgres'] } },
		},
		{
			...caCertificateProperty,
			displayOptions: { show: { kind: ['postgres'], ssl: ['verify'] } },
			description:
				'PEM certificate of the CA that signed the PostgreSQL server certificate; empty = the public CAs Node.js trusts',
		},
		{
			displayName: 'Case Number Format',
			name: 'caseNumberFormat',
			type: 'string',
			default: '{YYYY}-{SEQ:6}',
			description:
				'Tokens: {YYYY} year, {YY} two-digit year, {SEQ:n} sequence padded to n digits (e.g. 2026-000123)',
		},
		{
			displayName: 'Max Attachment Size per Mail (MB)',
			name: 'maxAttachmentMb',
			type: 'number',
			default: 25,
			description:
				'Attachment content stored per mail; larger mails are refused with a clear error',
		},
	];
}
