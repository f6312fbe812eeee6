import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ExchangeAuth, ExchangeProfile } from '../../lib/protocols/graph/exchange-profile';
import type { MailboxProfile } from '../../lib/protocols/mailbox-profile';
import type { SmtpProfile } from '../../lib/protocols/smtp/smtp-profile';

const str = (value: unknown) =>
	typeof value === 'string'
		? value.trim()
		: value === undefined || value === null
			? ''
			: String(value);
const num = (value: unknown) => (typeof value === 'number' ? value : Number(value) || 0);

/** Credential "Mail Cases SMTP Profile" → engine profile. */
export function smtpProfileFrom(data: ICredentialDataDecryptedObject): SmtpProfile {
	return {
		host: str(data.host),
		protocol: data.protocol === 'smtps' ? 'smtps' : 'smtp',
		port: num(data.port) || undefined,
		starttls: (str(data.starttls) || 'auto') as SmtpProfile['starttls'],
		user: str(data.user) || undefined,
		password: typeof data.password === 'string' ? data.password : undefined,
		fromAddress: str(data.fromAddress),
		fromName: str(data.fromName) || undefined,
		isDefault: data.isDefault === true,
		testRecipient: str(data.testRecipient) || undefined,
		allowSelfSigned: data.allowSelfSigned === true,
		caPem: str(data.caCertificate) || undefined,
	};
}

/** Credential "Mail Cases Mailbox Profile" → engine profile. */
export function mailboxProfileFrom(data: ICredentialDataDecryptedObject): MailboxProfile {
	const tls = str(data.tls);
	return {
		protocol: data.protocol === 'pop3' ? 'pop3' : 'imap',
		host: str(data.host),
		port: num(data.port) || undefined,
		tls: tls === 'starttls' || tls === 'off' ? tls : 'implicit',
		user: str(data.user),
		password: typeof data.password === 'string' ? data.password : '',
		folder: str(data.folder) || 'INBOX',
		allowSelfSigned: data.allowSelfSigned === true,
		caPem: str(data.caCertificate) || undefined,
	};
}

/** Credential "Mail Cases Exchange Profile" → engine profile (R-EXO-2: no host, login or password). */
export function exchangeProfileFrom(data: ICredentialDataDecryptedObject): ExchangeProfile {
	const auth: ExchangeAuth =
		data.authentication === 'certificate'
			? {
					type: 'certificate',
					privateKeyPem: typeof data.privateKey === 'string' ? data.privateKey : '',
					certificatePem: str(data.certificate) || undefined,
					thumbprint: str(data.thumbprint) || undefined,
				}
			: {
					type: 'secret',
					clientSecret: typeof data.clientSecret === 'string' ? data.clientSecret : '',
				};
	return {
		tenantId: str(data.tenantId),
		clientId: str(data.clientId),
		auth,
		mailbox: str(data.mailbox),
		folder: str(data.folder) || undefined,
		fromAddress: str(data.fromAddress) || undefined,
		fromName: str(data.fromName) || undefined,
		isDefault: data.isDefault === true,
		testRecipient: str(data.testRecipient) || undefined,
		cloud: (str(data.cloud) || 'global') as ExchangeProfile['cloud'],
		authorityHost: str(data.authorityHost) || undefined,
		graphEndpoint: str(data.graphEndpoint) || undefined,
		caPem: str(data.caCertificate) || undefined,
	};
}
