import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MailCasesError } from '../../../lib/errors';
import type { ExchangeProfile } from '../../../lib/protocols/graph/exchange-profile';
import { testExchangeProfile } from '../../../lib/protocols/graph/graph-connection-test';
import {
	createAppCertificate,
	FakeGraphServer,
	type AppCertificate,
} from '../../support/fake-graph';
import { freePorts } from '../../support/mail-stack/ports';
import { rawMail, startWorld, type GraphWorld } from './support';

/**
 * R-EXO-1, R-EXO-2, R-IN-3 (analogue): the Exchange profile's test gets a token from the
 * identity platform stand-in with real MSAL, reads the folder through Graph and reports the
 * count — or says which part of the profile is wrong, never showing the secret.
 */
let world: GraphWorld;
let certDir: string;
let registered: AppCertificate;
let other: AppCertificate;

beforeAll(async () => {
	world = await startWorld();
	world.mailbox.seed(rawMail('first'));
	world.mailbox.seed(rawMail('second'));
	world.mailbox.seed(rawMail('third'));
	certDir = await mkdtemp(path.join(os.tmpdir(), 'graph-certs-'));
	[registered, other] = await Promise.all([
		createAppCertificate(certDir, 'registered'),
		createAppCertificate(certDir, 'other'),
	]);
});

afterAll(async () => {
	await world.fake.stop();
	await rm(certDir, { recursive: true, force: true });
});

async function failure(profile: ExchangeProfile): Promise<MailCasesError> {
	const error = await testExchangeProfile(profile).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(MailCasesError);
	const mapped = error as MailCasesError;
	// Never the secret or key material, in the message or anywhere in the details.
	const everything = `${mapped.message} ${JSON.stringify(mapped.details ?? {})}`;
	expect(everything).not.toContain(world.secret);
	expect(everything).not.toContain('PRIVATE KEY');
	return mapped;
}

function certificateApp(certificates: string[]) {
	return world.fake.registerApp({ tenantId: world.tenant.id, certificates });
}

describe('R-EXO-2 / R-IN-3: Exchange profile test succeeds', () => {
	it('with a client secret: token, then the number of mails in the inbox', async () => {
		const result = await testExchangeProfile(world.profile);
		expect(result).toMatchObject({ count: 3, folder: 'Inbox', testMailSent: false });
		expect(result.message).toMatch(
			/^Connected to service@contoso\.example on custom cloud localhost:\d+ \(tenant [0-9a-f-]+, app [0-9a-f-]+\): 3 mails in Inbox$/,
		);
		expect(result.message).not.toContain(world.secret);
	});

	it('with the tenant given as its domain name', async () => {
		const result = await testExchangeProfile({ ...world.profile, tenantId: 'contoso.example' });
		expect(result.count).toBe(3);
	});

	it('with a certificate (PEM): PS256 assertion signed with the key, checked against the registered certificate', async () => {
		const app = certificateApp([registered.certificatePem]);
		const before = world.fake.tokenStats.issued;
		const result = await testExchangeProfile({
			...world.profile,
			clientId: app.clientId,
			auth: {
				type: 'certificate',
				privateKeyPem: registered.privateKeyPem,
				certificatePem: registered.certificatePem,
			},
		});
		expect(result.count).toBe(3);
		expect(world.fake.tokenStats.issued).toBe(before + 1);
	});

	it('with a certificate given by its SHA-1 thumbprint as the portal shows it (RS256 + x5t)', async () => {
		const app = certificateApp([registered.certificatePem]);
		const result = await testExchangeProfile({
			...world.profile,
			clientId: app.clientId,
			auth: {
				type: 'certificate',
				privateKeyPem: registered.privateKeyPem,
				thumbprint: registered.thumbprintSha1.replace(/(..)(?!$)/g, '$1:'),
			},
		});
		expect(result.count).toBe(3);
	});

	it('with a test recipient: also sends a test mail (Mail.Send)', async () => {
		const before = world.mailbox.sent.length;
		const result = await testExchangeProfile({
			...world.profile,
			testRecipient: 'admin@example.org',
		});
		expect(result.testMailSent).toBe(true);
		expect(result.message).toMatch(/; test mail sent to admin@example\.org$/);
		expect(world.mailbox.sent).toHaveLength(before + 1);
		const mime = world.mailbox.sent[before].mime!.toString('utf8');
		expect(mime).toMatch(/^To: admin@example\.org$/m);
		expect(mime).toMatch(/^From: service@contoso\.example$/m);
	});
});

describe('R-EXO-2: Exchange profile test says what is wrong', () => {
	it('unknown tenant → AADSTS90002, names the tenant id', async () => {
		const error = await failure({ ...world.profile, tenantId: randomUUID() });
		expect(error.code).toBe('AUTH_FAILED');
		expect(error.details).toMatchObject({ field: 'tenantId', aadsts: 90002 });
		expect(error.message).toMatch(
			/^Tenant "[0-9a-f-]+" was not found at localhost:\d+ \(AADSTS90002\)\. Check the Directory \(tenant\) ID/,
		);
	});

	it('unknown client id → AADSTS700016, names the client id', async () => {
		const clientId = randomUUID();
		const error = await failure({ ...world.profile, clientId });
		expect(error.details).toMatchObject({ field: 'clientId', aadsts: 700016 });
		expect(error.message).toContain(
			`Application (client) ID "${clientId}" was not found in tenant`,
		);
	});

	it('wrong client secret → AADSTS7000215, names the secret without showing it', async () => {
		const wrong = `${world.secret}-old`;
		const error = await failure({
			...world.profile,
			auth: { type: 'secret', clientSecret: wrong },
		});
		expect(error.details).toMatchObject({ field: 'clientSecret', aadsts: 7000215 });
		expect(error.message).toMatch(
			/client secret was rejected .*Paste the secret's Value \(not its Secret ID\)/,
		);
		expect(error.message).not.toContain(wrong);
	});

	it('a certificate that is not registered on the app → AADSTS700027, names the certificate', async () => {
		const app = certificateApp([registered.certificatePem]);
		const error = await failure({
			...world.profile,
			clientId: app.clientId,
			auth: {
				type: 'certificate',
				privateKeyPem: other.privateKeyPem,
				certificatePem: other.certificatePem,
			},
		});
		expect(error.details).toMatchObject({ field: 'certificate', aadsts: 700027 });
		expect(error.message).toMatch(/certificate was not accepted/);
	});

	it('a key that does not belong to the certificate is caught before asking Entra ID', async () => {
		const before = world.fake.requests.length;
		const error = await failure({
			...world.profile,
			auth: {
				type: 'certificate',
				privateKeyPem: other.privateKeyPem,
				certificatePem: registered.certificatePem,
			},
		});
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toMatch(/private key does not belong to the certificate/);
		expect(world.fake.requests.length).toBe(before);
	});

	it('missing Mail.ReadWrite application permission → 403, names the permission', async () => {
		const app = world.fake.registerApp({
			tenantId: world.tenant.id,
			secrets: [world.secret],
			roles: ['Mail.Send'],
		});
		const error = await failure({ ...world.profile, clientId: app.clientId });
		expect(error.code).toBe('AUTH_FAILED');
		expect(error.details).toMatchObject({ httpStatus: 403, permission: 'Mail.ReadWrite' });
		expect(error.message).toMatch(
			/Add the Microsoft Graph application permission Mail\.ReadWrite to the app registration and grant admin consent/,
		);
	});

	it('missing Mail.Send (found by the test mail) → 403, names Mail.Send', async () => {
		const app = world.fake.registerApp({
			tenantId: world.tenant.id,
			secrets: [world.secret],
			roles: ['Mail.ReadWrite'],
		});
		const error = await failure({
			...world.profile,
			clientId: app.clientId,
			testRecipient: 'admin@example.org',
		});
		expect(error.details).toMatchObject({ httpStatus: 403, permission: 'Mail.Send' });
		expect(error.message).toMatch(/application permission Mail\.Send /);
	});

	it('unknown mailbox → MAILBOX_NOT_FOUND naming it', async () => {
		const error = await failure({ ...world.profile, mailbox: 'nobody@contoso.example' });
		expect(error.code).toBe('MAILBOX_NOT_FOUND');
		expect(error.message).toMatch(/^Mailbox "nobody@contoso\.example" was not found in tenant/);
	});

	it('a user without an Exchange Online mailbox → MAILBOX_NOT_FOUND (MailboxNotEnabledForRESTAPI)', async () => {
		world.fake.addMailbox(world.tenant.id, 'unlicensed@contoso.example', { restEnabled: false });
		const error = await failure({ ...world.profile, mailbox: 'unlicensed@contoso.example' });
		expect(error.code).toBe('MAILBOX_NOT_FOUND');
		expect(error.message).toMatch(/MailboxNotEnabledForRESTAPI.*no Exchange Online license/);
	});

	it('unknown folder → MAILBOX_NOT_FOUND naming the folder', async () => {
		const error = await failure({ ...world.profile, folder: 'Inbox/Nope' });
		expect(error.code).toBe('MAILBOX_NOT_FOUND');
		expect(error.message).toMatch(
			/^Folder "Inbox\/Nope" does not exist in mailbox "service@contoso\.example"/,
		);
	});

	it('a server certificate from an untrusted CA → TLS_CERT_UNTRUSTED', async () => {
		const error = await failure({ ...world.profile, caPem: undefined });
		expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		expect(error.message).toMatch(/identity platform at localhost:\d+ is not trusted/);
	});

	it('nothing listening → CONNECTION_REFUSED', async () => {
		const [port] = await freePorts(1);
		const origin = `https://localhost:${port}`;
		const error = await failure({ ...world.profile, authorityHost: origin, graphEndpoint: origin });
		expect(error.code).toBe('CONNECTION_REFUSED');
		expect(error.message).toMatch(
			new RegExp(`Cannot reach the Microsoft identity platform at localhost:${port}`),
		);
	});
});

describe('stand-in protocol details', () => {
	it('MSAL reads the OpenID configuration once, then only posts to the token endpoint; the token is reused', async () => {
		const fake = await FakeGraphServer.start();
		try {
			const tenant = fake.addTenant();
			const app = fake.registerApp({ tenantId: tenant.id, secrets: ['pw'] });
			fake.addMailbox(tenant.id, 'a@b.example');
			const profile: ExchangeProfile = {
				tenantId: tenant.id,
				clientId: app.clientId,
				auth: { type: 'secret', clientSecret: 'pw' },
				mailbox: 'a@b.example',
				cloud: 'custom',
				authorityHost: fake.origin,
				graphEndpoint: fake.origin,
				caPem: fake.caPem,
			};
			const { GraphClient } = await import('../../../lib/protocols/graph/graph-client');
			const client = new GraphClient(profile);
			await client.json({
				method: 'GET',
				path: `${client.userPath}/mailFolders/inbox`,
				what: 'reading the inbox',
			});
			await client.json({
				method: 'GET',
				path: `${client.userPath}/mailFolders/inbox`,
				what: 'reading the inbox',
			});
			client.close();
			expect(
				fake.requests.map((r) => `${r.method} ${r.path.replace(tenant.id, '{tenant}')}`),
			).toEqual([
				'GET /{tenant}/v2.0/.well-known/openid-configuration',
				'POST /{tenant}/oauth2/v2.0/token',
				'GET /v1.0/users/a%40b.example/mailFolders/inbox',
				'GET /v1.0/users/a%40b.example/mailFolders/inbox',
			]);
			expect(fake.tokenStats.issued).toBe(1);
		} finally {
			await fake.stop();
		}
	});
});
