import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { tlsTrustProperties } from './tls-properties';

/** Incoming mail profile: R-IN-2. Tested by the Mail Cases Trigger node (R-IN-3). */
export class MailCasesMailbox implements ICredentialType {
	name = 'mailCasesMailbox';

	displayName = 'Mail Cases Mailbox Profile';

	icon: Icon = { light: 'file:../icons/mail-cases.svg', dark: 'file:../icons/mail-cases.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mail-cases#mailbox-profile';

	properties: INodeProperties[] = [
		{
			displayName: 'Protocol',
			name: 'protocol',
			type: 'options',
			options: [
				{ name: 'IMAP', value: 'imap' },
				{ name: 'POP3', value: 'pop3' },
			],
			default: 'imap',
			description: 'Mail server protocol',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'imap.example.com',
		},
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'options',
			options: [
				{ name: 'Implicit TLS (IMAPS 993 / POP3S 995)', value: 'implicit' },
				{ name: 'STARTTLS (143 / 110)', value: 'starttls' },
				{ name: 'Off (Trusted Networks Only)', value: 'off' },
			],
			default: 'implicit',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 65535 },
			description:
				'0 uses the standard port: IMAP 993 (implicit TLS) or 143, POP3 995 (implicit TLS) or 110',
		},
		{
			displayName: 'Login',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Folder',
			name: 'folder',
			type: 'string',
			default: 'INBOX',
			displayOptions: { show: { protocol: ['imap'] } },
			description: 'IMAP folder to read (POP3 only has the inbox)',
		},
		...tlsTrustProperties,
	];
}
