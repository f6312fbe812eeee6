import * as net from 'node:net';
import { Client } from 'pg';
import { getStore, openStore, closeAllStores } from '../../../lib/store';
import { pgConnection } from './support/backends';

jest.setTimeout(30_000);

afterAll(async () => {
	await closeAllStores();
});

describe('PostgreSQL store errors (R-PLUS-7)', () => {
	test('an unreachable server gives STORE_UNAVAILABLE naming host, port and user, never the password', async () => {
		const error = await openStore({
			kind: 'postgres',
			host: '127.0.0.1',
			port: 1, // nothing listens there
			database: 'test',
			user: 'cases_user',
			password: 'Very-Secret-Pw-42',
			connectTimeoutMs: 5000,
		}).catch((e: unknown) => e);
		expect(error).toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining('cases_user@127.0.0.1:1/test'),
		});
		expect((error as Error).message).toMatch(/refused/);
		expect((error as Error).message).not.toContain('Very-Secret-Pw-42');
		expect(JSON.stringify((error as { details?: unknown }).details ?? {})).not.toContain(
			'Very-Secret-Pw-42',
		);
	});

	test('a missing database is named as such', async () => {
		await expect(
			openStore({
				...pgConnection(),
				kind: 'postgres',
				database: 'no_such_db_mail_cases',
				schema: 'x',
			}),
		).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining('database does not exist'),
		});
	});

	test('a failed opening is not cached: once the server is reachable, getStore succeeds', async () => {
		// a port where nothing listens yet
		const port = await new Promise<number>((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const p = (probe.address() as net.AddressInfo).port;
				probe.close(() => resolve(p));
			});
		});
		const pgc = pgConnection();
		const config = {
			kind: 'postgres' as const,
			host: '127.0.0.1',
			port,
			database: pgc.database,
			user: pgc.user,
			password: pgc.password,
			schema: `mc_test_${process.pid}_retry`,
		};
		await expect(getStore(config)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
		// now a TCP relay to the real server appears on that port
		const sockets = new Set<net.Socket>();
		const relay = net.createServer((client) => {
			const upstream = net.connect(pgc.port, pgc.host);
			sockets.add(client).add(upstream);
			client.pipe(upstream).pipe(client);
			const drop = () => {
				client.destroy();
				upstream.destroy();
			};
			client.on('error', drop).on('close', drop);
			upstream.on('error', drop).on('close', drop);
		});
		await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
		try {
			const store = await getStore(config);
			expect(await store.countCases()).toBe(0);
			await closeAllStores();
		} finally {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => relay.close(resolve));
			const admin = new Client(pgc);
			await admin.connect();
			await admin.query(`drop schema if exists "${config.schema}" cascade`);
			await admin.end();
		}
	});
});
