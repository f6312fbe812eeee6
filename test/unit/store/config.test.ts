import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL,
	defaultSqlitePath,
	describeStore,
	normalizeStoreConfig,
} from '../../../lib/store';
import { storeCacheKey } from '../../../lib/store/config';

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
		).toMatchObject({ port: 5432, schema: 'mail_cases', ssl: false, poolSize: 10 });
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
