import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { caCertificateProperty } from './tls-properties';

/**
 * Exchange (Microsoft 365) profile: R-EXO-1, R-EXO-2. An Azure app registration (tenant, client
 * id, client secret or certificate) reads and sends the mail of one mailbox through Microsoft
 * Graph — no host, login or password. Needs the application permissions Mail.ReadWrite and
 * Mail.Send with admin consent.
 */
export class MailCasesExchange implements ICredentialType {
	name = 'mailCasesExchange';

	displayName = 'Mail Cases Exchange Profile';

	icon: Icon = { light: 'file:../icons/mail-cases.svg', dark: 'file:../icons/mail-cases.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mail-cases#exchange-profile';

	properties: INodeProperties[] = [
		{
			displayName: 'Directory (Tenant) ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '00000000-0000-0000-0000-000000000000',
			description:
				"From the app registration's Overview page; the tenant's domain (contoso.onmicrosoft.com) works too",
		},
		{
			displayName: 'Application (Client) ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '00000000-0000-0000-0000-000000000000',
			description: "From the app registration's Overview page",
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Client Secret', value: 'secret' },
				{
					name: 'Certificate',
					value: 'certificate',
					description: 'A certificate uploaded to the app registration, with its private key',
				},
			],
			default: 'secret',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['secret'] } },
			description: "The secret's Value (not its Secret ID) from Certificates & secrets",
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			displayOptions: { show: { authentication: ['certificate'] } },
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'Unencrypted PEM of the RSA private key that belongs to the certificate',
		},
		{
			displayName: 'Certificate',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			displayOptions: { show: { authentication: ['certificate'] } },
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				'PEM of the certificate uploaded to the app registration (or enter its thumbprint below)',
		},
		{
			displayName: 'Certificate Thumbprint',
			name: 'thumbprint',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['certificate'] } },
			description:
				'Only when no certificate PEM is given: the thumbprint as the app registration shows it',
		},
		{
			displayName: 'Mailbox',
			name: 'mailbox',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'service@contoso.com',
			description:
				'Address (user principal name) or object ID of the Exchange Online mailbox that is read and sends',
		},
		{
			displayName: 'Folder',
			name: 'folder',
			type: 'string',
			default: 'Inbox',
			description: 'Folder the trigger reads: Inbox, or a path like Inbox/Support',
		},
		{
			displayName: 'Sender Address',
			name: 'fromAddress',
			type: 'string',
			default: '',
			placeholder: 'service@contoso.com',
			description: 'From of sent mail; empty uses the mailbox address',
		},
		{
			displayName: 'Sender Name',
			name: 'fromName',
			type: 'string',
			default: '',
			placeholder: 'Contoso Service Desk',
			description: 'Display name recipients see; when empty they see the bare address',
		},
		{
			displayName: 'Default Profile for System Mails',
			name: 'isDefault',
			type: 'boolean',
			default: false,
			description:
				'Whether notifications and other automatic mails should use this profile. Mark one profile only.',
		},
		{
			displayName: 'Test Recipient',
			name: 'testRecipient',
			type: 'string',
			default: '',
			placeholder: 'you@example.com',
			description:
				'When set, testing the profile also sends a test mail to this address (checks the Mail.Send permission)',
		},
		{
			displayName: 'Cloud',
			name: 'cloud',
			type: 'options',
			options: [
				{ name: 'Microsoft 365 (Global)', value: 'global' },
				{ name: 'US Government (GCC High)', value: 'usGov' },
				{ name: 'US Government (DoD)', value: 'usGovDoD' },
				{ name: 'China (21Vianet)', value: 'china' },
				{ name: 'Custom Endpoints', value: 'custom' },
			],
			default: 'global',
		},
		{
			displayName: 'Authority Host',
			name: 'authorityHost',
			type: 'string',
			default: '',
			placeholder: 'https://login.microsoftonline.com',
			displayOptions: { show: { cloud: ['custom'] } },
			description: 'HTTPS root of the Microsoft Entra ID token service',
		},
		{
			displayName: 'Graph Endpoint',
			name: 'graphEndpoint',
			type: 'string',
			default: '',
			placeholder: 'https://graph.microsoft.com',
			displayOptions: { show: { cloud: ['custom'] } },
			description: 'HTTPS root of Microsoft Graph, without /v1.0',
		},
		{
			...caCertificateProperty,
			description:
				'PEM of a private certificate authority to trust, e.g. of a proxy that inspects TLS',
		},
	];
}
