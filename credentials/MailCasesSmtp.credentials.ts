import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { tlsTrustProperties } from './tls-properties';

/** Outgoing mail profile: R-OUT-1..7. Tested by the Mail Cases Send Mail node. */
export class MailCasesSmtp implements ICredentialType {
	name = 'mailCasesSmtp';

	displayName = 'Mail Cases SMTP Profile';

	icon: Icon = { light: 'file:../icons/mail-cases.svg', dark: 'file:../icons/mail-cases.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mail-cases#smtp-profile';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'mail.example.com',
			description: 'Host name or IP address of the SMTP server',
		},
		{
			displayName: 'Protocol',
			name: 'protocol',
			type: 'options',
			options: [
				{ name: 'SMTP (Port 25 or 587 with STARTTLS)', value: 'smtp' },
				{ name: 'SMTPS (Implicit TLS, Port 465)', value: 'smtps' },
			],
			default: 'smtp',
			description:
				'SMTP talks plain first and encrypts with STARTTLS (see below); SMTPS is encrypted from the first byte',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 65535 },
			description:
				'0 uses the standard port: 465 for SMTPS; for SMTP 587 (submission) when a login is set, otherwise 25',
		},
		{
			displayName: 'STARTTLS',
			name: 'starttls',
			type: 'options',
			displayOptions: { show: { protocol: ['smtp'] } },
			options: [
				{
					name: 'Automatic (Required With Login)',
					value: 'auto',
					description:
						'Required when a login is set, so the password never travels unencrypted; otherwise used when offered',
				},
				{ name: 'Required', value: 'required' },
				{ name: 'When Offered', value: 'opportunistic' },
				{ name: 'Off (Trusted Networks Only)', value: 'off' },
			],
			default: 'auto',
		},
		{
			displayName: 'SMTP Login',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Leave empty for a relay that needs no authentication',
		},
		{
			displayName: 'SMTP Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Sender Address',
			name: 'fromAddress',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'service@example.com',
			description: 'Used as From of every mail sent with this profile',
		},
		{
			displayName: 'Sender Name',
			name: 'fromName',
			type: 'string',
			default: '',
			placeholder: 'Example Service Desk',
			description: 'Display name recipients see; when empty they see the bare address',
		},
		{
			displayName: 'Default Profile for System Mails',
			name: 'isDefault',
			type: 'boolean',
			default: false,
			description:
				'Whether notifications and other automatic mails should use this profile. Mark one profile only; see the README for how this maps onto n8n.',
		},
		{
			displayName: 'Test Recipient',
			name: 'testRecipient',
			type: 'string',
			default: '',
			placeholder: 'you@example.com',
			description: 'When set, testing the profile also sends a test mail to this address',
		},
		...tlsTrustProperties,
	];
}
