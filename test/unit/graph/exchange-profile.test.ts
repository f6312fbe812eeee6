import { generateKeyPairSync } from 'node:crypto';
import {
	certificateCredential,
	describeExchange,
	exchangeEndpoints,
	exchangeFromAddress,
	validateExchangeProfile,
	type ExchangeProfile,
} from '../../../lib/protocols/graph/exchange-profile';
import { tokenError } from '../../../lib/protocols/graph/token-errors';

const SECRET = 'Qq8~secret-value-never-shown';
const base: ExchangeProfile = {
	tenantId: 'contoso.onmicrosoft.com',
	clientId: '11111111-2222-3333-4444-555555555555',
	auth: { type: 'secret', clientSecret: SECRET },
	mailbox: 'service@contoso.com',
};

describe('R-EXO-2: Exchange profile endpoints per cloud', () => {
	it.each([
		['global', 'https://login.microsoftonline.com', 'https://graph.microsoft.com'],
		['usGov', 'https://login.microsoftonline.us', 'https://graph.microsoft.us'],
		['usGovDoD', 'https://login.microsoftonline.us', 'https://dod-graph.microsoft.us'],
		['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'],
	] as const)('%s', (cloud, authority, graph) => {
		const e = exchangeEndpoints({ ...base, cloud });
		expect(e.authority).toBe(`${authority}/contoso.onmicrosoft.com`);
		expect(e.graphBase).toBe(`${graph}/v1.0`);
		expect(e.scope).toBe(`${graph}/.default`);
		expect(e.knownAuthority).toBeUndefined();
	});

	it('custom cloud: https only, authority host becomes a known authority (host:port)', () => {
		const e = exchangeEndpoints({
			...base,
			cloud: 'custom',
			authorityHost: 'https://login.example.net:8443/',
			graphEndpoint: 'https://graph.example.net',
		});
		expect(e.authority).toBe('https://login.example.net:8443/contoso.onmicrosoft.com');
		expect(e.knownAuthority).toBe('login.example.net:8443');
		expect(e.scope).toBe('https://graph.example.net/.default');
		expect(() =>
			exchangeEndpoints({
				...base,
				cloud: 'custom',
				authorityHost: 'http://login.example.net',
				graphEndpoint: 'https://g.example',
			}),
		).toThrow(/must use https/);
		expect(() =>
			exchangeEndpoints({
				...base,
				cloud: 'custom',
				authorityHost: 'not a url',
				graphEndpoint: 'https://g.example',
			}),
		).toThrow(/is not a URL/);
	});
});

describe('R-EXO-2: profile validation names the wrong field', () => {
	it.each([
		[{ tenantId: '' }, /Directory \(tenant\) ID is empty/],
		[{ tenantId: 'common' }, /cannot be used as tenant for app-only access/],
		[{ tenantId: 'bad tenant/x' }, /neither a GUID nor a domain/],
		[{ clientId: 'my-app' }, /Application \(client\) ID "my-app" is not a GUID/],
		[{ mailbox: ' ' }, /mailbox is empty/],
		[{ auth: { type: 'secret', clientSecret: '' } }, /client secret is empty/],
	] as Array<[Partial<ExchangeProfile>, RegExp]>)('%j', (change, message) => {
		expect(() => validateExchangeProfile({ ...base, ...change })).toThrow(message);
	});

	it('accepts a valid profile and describes it without the secret', () => {
		expect(() => validateExchangeProfile(base)).not.toThrow();
		expect(describeExchange(base)).toBe(
			'service@contoso.com on Microsoft 365 (tenant contoso.onmicrosoft.com, app 11111111-2222-3333-4444-555555555555)',
		);
		expect(describeExchange(base)).not.toContain(SECRET);
	});

	it('From address: the mailbox, or the sender address when the mailbox is an object id', () => {
		expect(exchangeFromAddress(base)).toBe('service@contoso.com');
		expect(() =>
			exchangeFromAddress({ ...base, mailbox: '9f1c2d3e-0000-4000-8000-000000000001' }),
		).toThrow(/enter a Sender Address/);
		expect(
			exchangeFromAddress({
				...base,
				mailbox: '9f1c2d3e-0000-4000-8000-000000000001',
				fromAddress: 'help@contoso.com',
			}),
		).toBe('help@contoso.com');
	});
});

describe('certificate settings', () => {
	const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
		.privateKey.export({ type: 'pkcs8', format: 'pem' })
		.toString();
	const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
		.privateKey.export({ type: 'pkcs8', format: 'pem' })
		.toString();

	it('takes a thumbprint: SHA-1 (portal) or SHA-256, colons and case ignored', () => {
		expect(
			certificateCredential({
				type: 'certificate',
				privateKeyPem: rsa,
				thumbprint: 'AA:11:BB:22:CC:33:DD:44:EE:55:FF:66:AA:77:BB:88:CC:99:DD:00',
			}),
		).toMatchObject({
			thumbprintSha1: 'aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00',
		});
		expect(
			certificateCredential({
				type: 'certificate',
				privateKeyPem: rsa,
				thumbprint: 'ab'.repeat(32),
			}),
		).toMatchObject({ thumbprintSha256: 'ab'.repeat(32) });
	});

	it.each([
		[{ privateKeyPem: '' }, /private key is missing/],
		[
			{
				privateKeyPem:
					'-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----',
			},
			/private key is encrypted/,
		],
		[{ privateKeyPem: 'PLACEHOLDER_EC', thumbprint: 'ab'.repeat(20) }, /need an RSA key/],
		[{ thumbprint: 'xyz' }, /Paste the certificate \(PEM\) or its thumbprint/],
		[
			{ certificatePem: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' },
			/certificate could not be read/,
		],
	])('rejects %j', (change, message) => {
		const settings = { type: 'certificate' as const, privateKeyPem: rsa, ...change };
		if (settings.privateKeyPem === 'PLACEHOLDER_EC') settings.privateKeyPem = ec;
		expect(() => certificateCredential(settings)).toThrow(message);
	});
});

describe('token error mapping (what MSAL reports → which field is wrong)', () => {
	const endpoints = exchangeEndpoints(base);
	const serverError = (code: string, no: number, text: string) => ({
		errorCode: code,
		errorNo: String(no),
		errorMessage: `${no} - [ts]: AADSTS${no}: ${text}`,
	});

	it.each([
		[
			90002,
			'invalid_request',
			'tenantId',
			/Tenant "contoso\.onmicrosoft\.com" was not found at login\.microsoftonline\.com/,
		],
		[
			700016,
			'unauthorized_client',
			'clientId',
			/Application \(client\) ID "11111111-2222-3333-4444-555555555555" was not found/,
		],
		[7000215, 'invalid_client', 'clientSecret', /client secret was rejected/],
		[7000222, 'invalid_client', 'clientSecret', /has expired/],
		[700027, 'invalid_client', 'certificate', /certificate was not accepted/],
	])('AADSTS%i', (no, code, field, message) => {
		const error = tokenError(serverError(code, no, `something about ${SECRET}`), base, endpoints);
		expect(error.code).toBe('AUTH_FAILED');
		expect(error.details).toMatchObject({ field, aadsts: no });
		expect(error.message).toMatch(message);
		expect(error.message).not.toContain(SECRET);
	});

	it('an unknown tenant seen only as endpoints_resolution_error still names the tenant', () => {
		const error = tokenError(
			{ errorCode: 'endpoints_resolution_error', errorMessage: 'Endpoints cannot be resolved' },
			base,
			endpoints,
			{
				url: 'https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration',
				status: 400,
				body: {
					error: 'invalid_tenant',
					error_codes: [90002],
					error_description: 'AADSTS90002: Tenant not found.',
				},
			},
		);
		expect(error.details).toMatchObject({ field: 'tenantId', aadsts: 90002 });
	});

	it('a DNS failure seen by the network client becomes HOST_NOT_FOUND', () => {
		const error = tokenError({ errorCode: 'network_error' }, base, endpoints, {
			url: 'https://login.microsoftonline.com/x/oauth2/v2.0/token',
			error: Object.assign(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com'), {
				code: 'ENOTFOUND',
			}),
		});
		expect(error.code).toBe('HOST_NOT_FOUND');
		expect(error.message).toMatch(
			/Cannot reach the Microsoft identity platform at login\.microsoftonline\.com/,
		);
	});
});
