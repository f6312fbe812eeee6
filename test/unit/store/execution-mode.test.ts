import { MailCasesError } from '../../../lib/errors';
import { assertStoreShared, scaleOutOf, type StoreConfig } from '../../../lib/store';
import { storeFor } from '../../../nodes/shared/store';
import type { IExecuteFunctions } from 'n8n-workflow';

const sqlite: StoreConfig = { kind: 'sqlite', path: '/data/mail-cases.sqlite' };
const postgres: StoreConfig = { kind: 'postgres', host: 'db', database: 'cases', user: 'n8n' };

describe('#15.1 a SQLite store is refused where executions run in several processes', () => {
	test.each([
		[{}, undefined],
		[{ EXECUTIONS_MODE: 'regular' }, undefined],
		[{ EXECUTIONS_MODE: 'queue' }, 'queue mode'],
		[{ EXECUTIONS_MODE: ' Queue ' }, 'queue mode'],
		[{ N8N_MULTI_MAIN_SETUP_ENABLED: 'true' }, 'multi-main setup'],
		[{ N8N_MULTI_MAIN_SETUP_ENABLED: 'false' }, undefined],
	])('n8n environment %j → %s', (env, expected) => {
		expect(scaleOutOf(env)).toBe(expected);
	});

	test('regular mode: SQLite is fine, with or without a credential', () => {
		expect(() => assertStoreShared(sqlite, false, {})).not.toThrow();
		expect(() => assertStoreShared(sqlite, true, {})).not.toThrow();
	});

	test('queue mode and multi-main: PostgreSQL is fine', () => {
		expect(() => assertStoreShared(postgres, true, { EXECUTIONS_MODE: 'queue' })).not.toThrow();
		expect(() =>
			assertStoreShared(postgres, true, { N8N_MULTI_MAIN_SETUP_ENABLED: 'true' }),
		).not.toThrow();
	});

	test.each([
		[false, 'has no "Mail Cases Store" credential'],
		[true, 'credential is a SQLite file'],
	])(
		'queue mode with SQLite (from a credential: %s) fails with STORE_NOT_SHARED saying why and what to select',
		(fromCredential, why) => {
			let error: unknown;
			try {
				assertStoreShared(sqlite, fromCredential, { EXECUTIONS_MODE: 'queue' });
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(MailCasesError);
			expect((error as MailCasesError).code).toBe('STORE_NOT_SHARED');
			const message = (error as MailCasesError).message;
			expect(message).toContain(why);
			expect(message).toContain('queue mode');
			expect(message).toContain('PostgreSQL');
		},
	);

	test('the nodes open no embedded SQLite file in queue mode: storeFor rejects before opening', async () => {
		const before = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			const ctx = {
				getNode: () => ({ credentials: undefined }),
			} as unknown as IExecuteFunctions;
			await expect(storeFor(ctx)).rejects.toMatchObject({ code: 'STORE_NOT_SHARED' });
		} finally {
			if (before === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = before;
		}
	});
});
