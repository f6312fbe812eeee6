import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL,
	defaultSqlitePath,
	describeStore,
	normalizeStoreConfig,
} from '../../../lib/store';
import { storeCacheKey, type NormalizedPostgresConfig } from '../../../lib/store/config';
import { pgSslOptions } from '../../../lib/store/postgres-tls';

// a real CA certificate (EC P-256, self-signed, for parsing only)
const CA = [
	'-----BEGIN CERTIFICATE-----',
	'MIIBgzCCASmgAwIBAgIUWUOCqBveBn4pXNeSNFMOg8IL4skwCgYIKoZIzj0EAwIw',
	'FzEVMBMGA1UEAwwMVW5pdCBUZXN0IENBMB4XDTI2MTIwNDE3MjQyN1oXDTM2MTIw',
	'MTE3MjQyN1owFzEVMBMGA1UEAwwMVW5pdCBUZXN0IENBMFkwEwYHKoZIzj0CAQYI',
	'KoZIzj0DAQcDQgAEUCSrMHQ1RQdwpMGOv30O9jyNiiy5vz8qlui40dJKebzXWyy2',
	'fOt/Khz2eQAKyeRGiEQS/QK8UuEzOgyKz6QYkKNTMFEwHQYDVR0OBBYEFN/6XjXc',
	'9lTgJYJnYml3nGr1JkEzMB8GA1UdIwQYMBaAFN/6XjXc9lTgJYJnYml3nGr1JkEz',
	'MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhANEC/n7Ll6Z72Wb4',
	'tkd2dKr3n4MlzMXo5UqgjCSztxzZAiBxeDD5GxKpvCILQ1pt5jmMjXxsH6/rvNer',
	'TM/bS8dYGg==',
	'-----END CERTIFICATE-----',
].join('\n');

describe('store configuration', () => {
	test("the default SQLite file lives in n8n's folder: $N8N_USER_FOLDER/.n8n or ~/.n8n", () => {
		expect(defaultSqlitePath({ N8N_USER_FOLDER: '/srv/n8n' }, '/home/u')).toBe(
			join('/srv/n8n', '.n8n', 'mail-cases.sqlite'),
		);
		expect(defaultSqlitePath({}, '/home/u')).toBe(join('/home/u', '.n8n', 'mail-cases.sqlite'));
		expect(defaultSqlitePath({ N8N_USER_FOLDER: '  ' }, '/home/u')).toBe(
			join('/home/u', '.n8n', 'mail-cases.sqlite'),
		);
	});

	test('defaults are filled in', () => {
		const file = join(tmpdir(), 'x.sqlite');
		expect(normalizeStoreConfig({ kind: 'sqlite', path: file })).toEqual({
			kind: 'sqlite',
			path: file,
			busyTimeoutMs: 15000,
			caseNumberFormat: '{YYYY}-{SEQ:6}',
			maxAttachmentBytesPerMail: DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL,
		});
		expect(normalizeStoreConfig({ kind: 'sqlite' })).toMatchObject({ path: defaultSqlitePath() });
		expect(normalizeStoreConfig({ kind: 'sqlite', path: 'rel/x.sqlite' })).toMatchObject({
			path: join(process.cwd(), 'rel/x.sqlite'),
		});
		expect(
			normalizeStoreConfig({
				kind: 'postgres',
				host: 'db',
				database: 'n8n',
				user: 'u',
				password: 'secret',
			}),
		).toMatchObject({ port: 5432, schema: 'mail_cases', ssl: 'disable', poolSize: 10 });
	});

	test('bad settings are refused with a message that names the setting', () => {
		expect(() => normalizeStoreConfig({ kind: 'sqlite', caseNumberFormat: '{YYYY}' })).toThrow(
			expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('{SEQ}') }),
		);
		expect(() => normalizeStoreConfig({ kind: 'sqlite', maxAttachmentBytesPerMail: -1 })).toThrow(
			expect.objectContaining({
				code: 'INVALID_INPUT',
				message: expect.stringContaining('maxAttachmentBytesPerMail'),
			}),
		);
		expect(() =>
			normalizeStoreConfig({
				kind: 'postgres',
				host: 'db',
				database: 'n8n',
				user: 'u',
				schema: 'a"; drop',
			}),
		).toThrow(
			expect.objectContaining({
				code: 'INVALID_INPUT',
				message: expect.stringContaining('schema'),
			}),
		);
		expect(() =>
			normalizeStoreConfig({ kind: 'postgres', host: '', database: 'n8n', user: 'u' }),
		).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
		expect(() => normalizeStoreConfig({ kind: 'mysql' } as never)).toThrow(
			expect.objectContaining({ code: 'INVALID_INPUT' }),
		);
	});

	test('#11.8 SSL: disable / require / verify map to node-postgres TLS options; a CA only with verify', () => {
		const pg = { kind: 'postgres', host: 'db.example', database: 'n8n', user: 'u' } as const;
		const ssl = (extra: object) =>
			pgSslOptions(normalizeStoreConfig({ ...pg, ...extra }) as NormalizedPostgresConfig);
		expect(ssl({})).toBe(false);
		expect(ssl({ ssl: 'disable', caPem: CA })).toBe(false);
		expect(ssl({ ssl: 'require', caPem: CA })).toEqual({
			rejectUnauthorized: false,
			minVersion: 'TLSv1.2',
			servername: 'db.example',
		});
		expect(ssl({ ssl: 'verify' })).toEqual({
			rejectUnauthorized: true,
			minVersion: 'TLSv1.2',
			servername: 'db.example',
		});
		expect(ssl({ ssl: 'verify', caPem: `  ${CA}\n` })).toEqual({
			rejectUnauthorized: true,
			minVersion: 'TLSv1.2',
			servername: 'db.example',
			ca: [CA],
		});
		// an IP address: no SNI; node-postgres passes the host to tls.connect for the name check
		expect(
			pgSslOptions(
				normalizeStoreConfig({
					...pg,
					host: '10.0.0.5',
					ssl: 'verify',
				}) as NormalizedPostgresConfig,
			),
		).toEqual({
			rejectUnauthorized: true,
			minVersion: 'TLSv1.2',
		});
		expect(() => normalizeStoreConfig({ ...pg, ssl: 'verify', caPem: 'MIIB...' })).toThrow(
			expect.objectContaining({
				code: 'INVALID_INPUT',
				message: expect.stringContaining('not a PEM certificate'),
			}),
		);
		expect(() => normalizeStoreConfig({ ...pg, ssl: true as never })).toThrow(
			expect.objectContaining({
				code: 'INVALID_INPUT',
				message: expect.stringContaining('"disable", "require" or "verify"'),
			}),
		);
	});

	test('descriptions and cache keys never contain the password', () => {
		const config = normalizeStoreConfig({
			kind: 'postgres',
			host: 'db.example',
			port: 6543,
			database: 'n8n',
			user: 'cases',
			password: 'hunter2-secret',
		});
		expect(describeStore(config)).toBe(
			'PostgreSQL store cases@db.example:6543/n8n (schema mail_cases)',
		);
		expect(storeCacheKey(config)).not.toContain('hunter2');
		expect(storeCacheKey(config)).toMatch(/^[0-9a-f]{64}$/);
		// same settings → same key, regardless of property order; another password → another key
		const reordered = normalizeStoreConfig({
			password: 'hunter2-secret',
			user: 'cases',
			database: 'n8n',
			port: 6543,
			host: 'db.example',
			kind: 'postgres',
		});
		expect(storeCacheKey(reordered)).toBe(storeCacheKey(config));
		expect(storeCacheKey({ ...config, password: 'other' } as typeof config)).not.toBe(
			storeCacheKey(config),
		);
	});
});
