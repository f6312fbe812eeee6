import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { MailCasesError } from '../../errors';
import { trimEndWhile } from '../../mail/trim-runs';

/**
 * Exchange (Microsoft 365) profile (R-EXO-1, R-EXO-2): an Azure app registration (tenant,
 * client id, client secret or certificate) that reads and sends mail of one mailbox through
 * Microsoft Graph with application permissions (Mail.ReadWrite, Mail.Send). No host, login or
 * password: the endpoints follow from the cloud.
 */
export type ExchangeCloud = 'global' | 'usGov' | 'usGovDoD' | 'china' | 'custom';

export type ExchangeAuth =
	| { type: 'secret'; clientSecret: string }
	| {
			type: 'certificate';
			/** Unencrypted PEM of the RSA private key that belongs to the registered certificate. */
			privateKeyPem: string;
			/** PEM of the certificate uploaded to the app registration (preferred: thumbprint computed). */
			certificatePem?: string;
			/** Thumbprint as the portal shows it (SHA-1, 40 hex) or SHA-256 (64 hex), when no certificate PEM is given. */
			thumbprint?: string;
	  };

export interface ExchangeProfile {
	/** Directory (tenant) ID: GUID or a verified domain such as contoso.onmicrosoft.com. */
	tenantId: string;
	/** Application (client) ID of the app registration (a GUID). */
	clientId: string;
	auth: ExchangeAuth;
	/** Mailbox read and sent from: user principal name (alice@contoso.com) or the user's object id. */
	mailbox: string;
	/** Folder read by the trigger: a well-known name (inbox) or a display-name path (Inbox/Support). Default inbox. */
	folder?: string;
	/** From address of sent mail; defaults to the mailbox when it is an address. */
	fromAddress?: string;
	fromName?: string;
	/** R-OUT-6 analogue: the profile meant for system mails. */
	isDefault?: boolean;
	/** When set, the connection test also sends a test mail (checks Mail.Send). */
	testRecipient?: string;
	cloud?: ExchangeCloud;
	/** cloud custom: e.g. https://login.example.net (Entra authority host, https). */
	authorityHost?: string;
	/** cloud custom: e.g. https://graph.example.net (Graph root, https, without /v1.0). */
	graphEndpoint?: string;
	/** Extra trusted CA (PEM) for a TLS-inspecting proxy or a test server. */
	caPem?: string;
	/** Per-request socket timeout. Default 30 s. */
	timeoutMs?: number;
}

/** Endpoints of the national clouds (learn.microsoft.com/graph/deployments). */
const CLOUDS: Record<
	Exclude<ExchangeCloud, 'custom'>,
	{ authorityHost: string; graphEndpoint: string; name: string }
> = {
	global: {
		authorityHost: 'https://login.microsoftonline.com',
		graphEndpoint: 'https://graph.microsoft.com',
		name: 'Microsoft 365',
	},
	usGov: {
		authorityHost: 'https://login.microsoftonline.us',
		graphEndpoint: 'https://graph.microsoft.us',
		name: 'Microsoft 365 US Government (GCC High)',
	},
	usGovDoD: {
		authorityHost: 'https://login.microsoftonline.us',
		graphEndpoint: 'https://dod-graph.microsoft.us',
		name: 'Microsoft 365 US Government (DoD)',
	},
	china: {
		authorityHost: 'https://login.chinacloudapi.cn',
		graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
		name: 'Microsoft 365 operated by 21Vianet',
	},
};

export interface ResolvedEndpoints {
	/** https://login.microsoftonline.com (no trailing slash). */
	authorityHost: string;
	/** https://login.microsoftonline.com/{tenant} */
	authority: string;
	/** https://graph.microsoft.com (no trailing slash). */
	graphEndpoint: string;
	/** https://graph.microsoft.com/v1.0 */
	graphBase: string;
	/** https://graph.microsoft.com/.default */
	scope: string;
	/** host:port of a custom authority, for MSAL's knownAuthorities. */
	knownAuthority?: string;
	cloudName: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;

function httpsRoot(what: string, value: string | undefined): string {
	const text = trimEndWhile((value ?? '').trim(), (code) => code === 0x2f);
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new MailCasesError(
			'INVALID_INPUT',
			`${what} "${text}" is not a URL. Enter it like https://login.example.net.`,
		);
	}
	if (url.protocol !== 'https:') {
		throw new MailCasesError(
			'INVALID_INPUT',
			`${what} must use https (got "${url.protocol}"): tokens never travel unencrypted.`,
		);
	}
	if (url.search || url.hash || url.username || url.password) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`${what} must be a plain https URL without query, fragment or user info.`,
		);
	}
	return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
}

/** The endpoints of a profile's cloud. Throws INVALID_INPUT for a bad custom cloud. */
export function exchangeEndpoints(profile: ExchangeProfile): ResolvedEndpoints {
	const cloud = profile.cloud ?? 'global';
	const tenant = profile.tenantId.trim();
	if (cloud === 'custom') {
		const authorityHost = httpsRoot('Authority host', profile.authorityHost);
		const graphEndpoint = httpsRoot('Graph endpoint', profile.graphEndpoint);
		const authorityUrl = new URL(authorityHost);
		return {
			authorityHost,
			authority: `${authorityHost}/${tenant}`,
			graphEndpoint,
			graphBase: `${graphEndpoint}/v1.0`,
			scope: `${graphEndpoint}/.default`,
			knownAuthority: authorityUrl.host,
			cloudName: `custom cloud ${authorityUrl.host}`,
		};
	}
	const known = CLOUDS[cloud];
	if (!known) throw new MailCasesError('INVALID_INPUT', `Unknown cloud "${String(cloud)}".`);
	return {
		authorityHost: known.authorityHost,
		authority: `${known.authorityHost}/${tenant}`,
		graphEndpoint: known.graphEndpoint,
		graphBase: `${known.graphEndpoint}/v1.0`,
		scope: `${known.graphEndpoint}/.default`,
		cloudName: known.name,
	};
}

/** Checks what can be checked offline; throws INVALID_INPUT naming the field. */
export function validateExchangeProfile(profile: ExchangeProfile): void {
	const tenant = (profile.tenantId ?? '').trim();
	if (!tenant)
		throw new MailCasesError(
			'INVALID_INPUT',
			"The Directory (tenant) ID is empty. Copy it from the app registration's Overview page.",
		);
	if (/^(common|organizations|consumers)$/i.test(tenant)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`"${tenant}" cannot be used as tenant for app-only access. Enter the Directory (tenant) ID (a GUID) or the tenant's domain.`,
		);
	}
	if (!GUID.test(tenant) && !TENANT.test(tenant)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`The Directory (tenant) ID "${tenant}" is neither a GUID nor a domain name.`,
		);
	}
	const clientId = (profile.clientId ?? '').trim();
	if (!GUID.test(clientId)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`The Application (client) ID "${clientId}" is not a GUID (like 11111111-2222-3333-4444-555555555555). Copy it from the app registration's Overview page.`,
		);
	}
	if (!(profile.mailbox ?? '').trim()) {
		throw new MailCasesError(
			'INVALID_INPUT',
			"The mailbox is empty. Enter the mailbox address (user principal name) or the user's object id.",
		);
	}
	if (/[\s/\\?#]/.test(profile.mailbox.trim())) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`The mailbox "${profile.mailbox.trim()}" contains characters a mailbox address cannot have.`,
		);
	}
	const auth = profile.auth;
	if (!auth || (auth.type !== 'secret' && auth.type !== 'certificate')) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'Choose how the app authenticates: client secret or certificate.',
		);
	}
	if (auth.type === 'secret' && !auth.clientSecret) {
		throw new MailCasesError(
			'INVALID_INPUT',
			"The client secret is empty. Paste the secret's Value (not its Secret ID).",
		);
	}
	if (auth.type === 'certificate') certificateCredential(auth);
	exchangeEndpoints(profile);
}

/** What MSAL's clientCertificate option needs, derived and checked from the profile. */
export interface CertificateCredential {
	privateKey: string;
	thumbprintSha256?: string;
	thumbprintSha1?: string;
}

function pemBlocks(text: string, label: string): string[] {
	const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
	return text.match(re) ?? [];
}

/** Validates the certificate settings; throws INVALID_INPUT with what is wrong (never key material). */
export function certificateCredential(
	auth: Extract<ExchangeAuth, { type: 'certificate' }>,
): CertificateCredential {
	const keyText = (auth.privateKeyPem ?? '').trim();
	// A PEM file with key and certificate together is accepted in the key field.
	const certText = (auth.certificatePem ?? '').trim() || pemBlocks(keyText, 'CERTIFICATE')[0] || '';
	if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyText)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'The private key is encrypted. Paste the unencrypted PEM (-----BEGIN PRIVATE KEY-----).',
		);
	}
	const keyPem = pemBlocks(keyText, 'PRIVATE KEY')[0] ?? pemBlocks(keyText, 'RSA PRIVATE KEY')[0];
	if (!keyPem)
		throw new MailCasesError(
			'INVALID_INPUT',
			'The private key is missing or not PEM (-----BEGIN PRIVATE KEY-----).',
		);
	let key;
	try {
		key = createPrivateKey(keyPem);
	} catch {
		throw new MailCasesError(
			'INVALID_INPUT',
			"The private key could not be read. Paste the unencrypted PEM of the certificate's private key.",
		);
	}
	if (key.asymmetricKeyType !== 'rsa') {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Entra ID certificate credentials need an RSA key; this key is ${key.asymmetricKeyType ?? 'of another type'}.`,
		);
	}
	if (certText) {
		let cert: X509Certificate;
		try {
			cert = new X509Certificate(certText);
		} catch {
			throw new MailCasesError(
				'INVALID_INPUT',
				'The certificate could not be read. Paste the PEM of the certificate uploaded to the app registration.',
			);
		}
		const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
		const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
		if (!fromKey.equals(fromCert)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				'The private key does not belong to the certificate. Paste the key that was created together with this certificate.',
			);
		}
		return {
			privateKey: keyPem,
			thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
		};
	}
	const thumbprint = (auth.thumbprint ?? '').replace(/[\s:]/g, '').toLowerCase();
	if (/^[0-9a-f]{64}$/.test(thumbprint))
		return { privateKey: keyPem, thumbprintSha256: thumbprint };
	if (/^[0-9a-f]{40}$/.test(thumbprint)) return { privateKey: keyPem, thumbprintSha1: thumbprint };
	throw new MailCasesError(
		'INVALID_INPUT',
		'Paste the certificate (PEM) or its thumbprint as the app registration shows it (40 hex digits; 64 for SHA-256).',
	);
}

/** `alice@contoso.com on Microsoft 365 (tenant contoso.onmicrosoft.com, app 1111…)` — no secrets. */
export function describeExchange(profile: ExchangeProfile): string {
	let cloud = 'Microsoft 365';
	try {
		cloud = exchangeEndpoints(profile).cloudName;
	} catch {
		/* described before validation */
	}
	return `${profile.mailbox.trim()} on ${cloud} (tenant ${profile.tenantId.trim()}, app ${profile.clientId.trim()})`;
}

export function exchangeFolder(profile: ExchangeProfile): string {
	return profile.folder?.trim() || 'inbox';
}

/** Address used as From of sent mail. */
export function exchangeFromAddress(profile: ExchangeProfile): string {
	const from = profile.fromAddress?.trim() || profile.mailbox.trim();
	if (!from.includes('@')) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`The mailbox is given as an id ("${from}"); enter a Sender Address so sent mail has a From address.`,
		);
	}
	return from;
}

/** Secrets of a profile, for redaction of any text that could echo them. */
export function exchangeSecrets(profile: ExchangeProfile): string[] {
	const auth = profile.auth;
	if (!auth) return [];
	return auth.type === 'secret' ? [auth.clientSecret] : [auth.privateKeyPem];
}
