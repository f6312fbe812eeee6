/**
 * Issue #11.8: the PostgreSQL store over TLS — SSL "Disable" / "Require" / "Verify" with a CA
 * certificate — against a real PostgreSQL with ssl = on (a private server started for this file,
 * see test/support/tls-postgres.ts). Its certificate names only DNS:localhost, so "localhost" is
 * the right host and 127.0.0.1 the wrong one; it accepts clients only over TLS (hostssl), so every
 * store that opens here talks TLS. The credential's Test button is run the way n8n's credentials
 * service runs it (a CredentialTestContext of n8n-core).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted } from 'n8n-workflow';
import { LATEST_SCHEMA_VERSION, openStore, type PostgresStoreConfig } from '../../../lib/store';
import { MailCase } from '../../../nodes/MailCase/MailCase.node';
import { ManualTrigger } from '../../fixtures/nodes/ManualTrigger.node';
import { shutdownN8nEngine } from '../../support/n8n';
import { buildAdditionalData, prepareWorkflow } from '../../support/n8n/execution';
import { createTestCertificates } from '../../support/mail-stack/tls';
import { startTlsPostgres, type TlsPostgres } from '../../support/tls-postgres';

jest.setTimeout(60_000);

const PASSWORD = 'Very-Secret-Pw-42'; // the server trusts without it; it must never show up
let server: TlsPostgres;
let otherCaPem: string; // a CA that did not sign the server's certificate
let otherCaDir: string;

beforeAll(async () => {
	otherCaDir = mkdtempSync(join(tmpdir(), 'mail-cases-other-ca-'));
	[server, { caPem: otherCaPem }] = await Promise.all([
		startTlsPostgres({ subjectAltName: 'DNS:localhost' }),
		createTestCertificates(otherCaDir),
	]);
});

afterAll(async () => {
	await server?.stop();
	rmSync(otherCaDir, { recursive: true, force: true });
	await shutdownN8nEngine();
});

/** The server as the store's engine config and as the credential share it. */
const target = () => ({
	kind: 'postgres' as const,
	host: 'localhost',
	port: server.port,
	database: server.database,
	user: server.user,
	password: PASSWORD,
});

function config(overrides: Partial<PostgresStoreConfig>): PostgresStoreConfig {
	return { ...target(), connectTimeoutMs: 10_000, ...overrides };
}

async function opens(overrides: Partial<PostgresStoreConfig>): Promise<number> {
	const store = await openStore(config(overrides));
	try {
		return await store.countCases();
	} finally {
		await store.close();
	}
}

async function failure(
	overrides: Partial<PostgresStoreConfig>,
): Promise<Error & { code?: string }> {
	const error = await openStore(config(overrides)).then(
		async (store) => {
			await store.close();
			throw new Error('the store opened');
		},
		(e: unknown) => e as Error & { code?: string },
	);
	expect(error.message).not.toContain(PASSWORD);
	return error;
}

/** The store credential's Test button, as n8n's credentials service runs it. */
async function credentialTest(data: ICredentialDataDecryptedObject) {
	const prepared = await prepareWorkflow({
		workflow: {
			nodes: [{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', parameters: {} }],
			connections: {},
		},
		nodeTypes: { 'n8n-nodes-base.manualTrigger': ManualTrigger },
	});
	const credential: ICredentialsDecrypted = {
		id: 'store',
		name: 'Store',
		type: 'mailCasesStore',
		data,
	};
	const context = new CredentialTestContext(buildAdditionalData(prepared));
	const result = await new MailCase().methods.credentialTest.mailCasesStoreTest.call(
		context,
		credential,
	);
	expect(result.message).not.toContain(PASSWORD);
	return result;
}

function credential(
	ssl: string,
	extra: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return { ...target(), schema: 'mail_cases', ssl, ...extra };
}

describe('#11.8 PostgreSQL store over TLS (real PostgreSQL with ssl = on)', () => {
	test('the private server starts within its bound and speaks TLS', () => {
		expect(server.startupMs).toBeGreaterThan(0);
		expect(server.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
	});

	test('#11.8 Verify with the CA that signed the certificate and the host it names: the store opens', async () => {
		expect(await opens({ ssl: 'verify', caPem: server.caPem })).toBe(0);
	});

	test('#11.8 Verify with another CA: TLS_CERT_UNTRUSTED saying what to change', async () => {
		const error = await failure({ ssl: 'verify', caPem: otherCaPem });
		expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		expect(error.message).toContain(`postgres@localhost:${server.port}/postgres`);
		expect(error.message).toContain("the server's TLS certificate is not signed by a trusted CA");
		expect(error.message).toContain('"CA Certificate"');
	});

	test('#11.8 Verify without a CA certificate trusts only public CAs: a private CA is refused', async () => {
		const error = await failure({ ssl: 'verify' });
		expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		expect(error.message).toContain('not signed by a trusted CA');
	});

	test('#11.8 Verify checks the host name: 127.0.0.1 is not in a certificate for localhost', async () => {
		const error = await failure({ ssl: 'verify', caPem: server.caPem, host: '127.0.0.1' });
		expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		expect(error.message).toContain(`postgres@127.0.0.1:${server.port}/postgres`);
		expect(error.message).toContain('not issued for the host name');
		expect(error.message).toContain('the certificate names DNS:localhost');
	});

	test('#11.8 Require encrypts without a CA and without checking the name', async () => {
		expect(await opens({ ssl: 'require', host: '127.0.0.1' })).toBe(0);
	});

	test('#11.8 Disable against a server that accepts only TLS: says to turn SSL on', async () => {
		const error = await failure({ ssl: 'disable' });
		expect(error.code).toBe('STORE_UNAVAILABLE');
		expect(error.message).toContain('accepts this user and database only over TLS');
		expect(error.message).toContain('set SSL to "Verify"');
	});

	test('#11.8 Require against a server without TLS: TLS_MISMATCH', async () => {
		await server.setSsl(false);
		try {
			const error = await failure({ ssl: 'require' });
			expect(error.code).toBe('TLS_MISMATCH');
			expect(error.message).toContain('the server does not offer TLS');
		} finally {
			await server.setSsl(true);
		}
	});

	test('#11.8 a CA certificate that is not PEM is refused before connecting', async () => {
		const error = await failure({ ssl: 'verify', caPem: 'not a certificate' });
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toContain('the CA certificate is not a PEM certificate');
	});
});

describe('#11.8 the store credential test reports the same', () => {
	test('Verify with the right CA: OK', async () => {
		const result = await credentialTest(credential('verify', { caCertificate: server.caPem }));
		expect(result.status).toBe('OK');
		expect(result.message).toBe(
			`Connected to PostgreSQL store postgres@localhost:${server.port}/postgres (schema mail_cases): schema version ${LATEST_SCHEMA_VERSION}, 0 cases`,
		);
	});

	test('Verify with another CA: the engine message', async () => {
		const result = await credentialTest(credential('verify', { caCertificate: otherCaPem }));
		const engine = await failure({ ssl: 'verify', caPem: otherCaPem, schema: 'mail_cases' });
		expect(result).toEqual({ status: 'Error', message: engine.message });
	});

	test('Require (saved as "noVerify") without a CA: OK; the CA field is ignored unless Verify', async () => {
		const result = await credentialTest(
			credential('noVerify', { host: '127.0.0.1', caCertificate: otherCaPem }),
		);
		expect(result.status).toBe('OK');
	});

	test('Disable (saved as "off") against the TLS-only server: the engine message', async () => {
		const result = await credentialTest(credential('off'));
		const engine = await failure({ ssl: 'disable', schema: 'mail_cases' });
		expect(result).toEqual({ status: 'Error', message: engine.message });
	});
});
