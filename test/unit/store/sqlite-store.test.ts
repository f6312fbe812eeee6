import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { closeAllStores, getStore, openStore, LATEST_SCHEMA_VERSION } from '../../../lib/store';
import { retryWhileBusy, isSqliteBusy } from '../../../lib/store/node-sqlite-dialect';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'mail-cases-unit-'));
});
afterEach(async () => {
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

const busy = () =>
	Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 });

describe('node:sqlite driver', () => {
	test('busy errors are recognised by their primary result code', () => {
		expect(isSqliteBusy(busy())).toBe(true);
		expect(isSqliteBusy({ errcode: 517 })).toBe(true); // SQLITE_BUSY_SNAPSHOT
		expect(isSqliteBusy({ errcode: 1555 })).toBe(false);
		expect(isSqliteBusy(new Error('x'))).toBe(false);
	});

	test('retryWhileBusy retries busy failures asynchronously and passes other errors through', async () => {
		let calls = 0;
		await expect(
			retryWhileBusy(() => {
				if (++calls < 3) throw busy();
				return 'done';
			}, 5000),
		).resolves.toBe('done');
		expect(calls).toBe(3);
		await expect(
			retryWhileBusy(() => {
				throw new Error('syntax');
			}, 5000),
		).rejects.toThrow('syntax');
		await expect(
			retryWhileBusy(
				() => {
					throw busy();
				},
				30,
				() => new Error('gave up'),
			),
		).rejects.toThrow('gave up');
	});

	test('the file is opened in WAL mode with foreign keys on, in the folder it creates', async () => {
		const path = join(dir, 'nested', 'deeper', 'cases.sqlite');
		const store = await openStore({ kind: 'sqlite', path });
		expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
		await store.close();
		const db = new DatabaseSync(path);
		expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
		expect(db.prepare('select count(*) as n from schema_migrations').get()).toEqual({
			n: LATEST_SCHEMA_VERSION,
		});
		db.close();
	});

	test("a write waits for another connection's write lock without blocking the event loop", async () => {
		const path = join(dir, 'cases.sqlite');
		const store = await openStore({ kind: 'sqlite', path });
		const other = new DatabaseSync(path);
		other.exec('BEGIN IMMEDIATE');
		let ticks = 0;
		const ticker = setInterval(() => ticks++, 5);
		let released = false;
		const create = store.workflows.create({ name: 'Waits' }).then((w) => {
			expect(released).toBe(true); // it could only finish after the other side committed
			return w;
		});
		// the event loop keeps running while the store waits: this timer fires and releases the lock
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(ticks).toBeGreaterThan(0);
		released = true;
		other.exec('COMMIT');
		clearInterval(ticker);
		await expect(create).resolves.toMatchObject({ name: 'Waits' });
		other.close();
		await store.close();
	});

	test('a lock held longer than busyTimeoutMs gives STORE_UNAVAILABLE naming the file', async () => {
		const path = join(dir, 'cases.sqlite');
		const store = await openStore({ kind: 'sqlite', path, busyTimeoutMs: 100 });
		const other = new DatabaseSync(path);
		other.exec('BEGIN IMMEDIATE');
		await expect(store.workflows.create({ name: 'Blocked' })).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining(path),
		});
		other.exec('ROLLBACK');
		other.close();
		// the store is usable again
		await expect(store.workflows.create({ name: 'Later' })).resolves.toMatchObject({
			name: 'Later',
		});
		await store.close();
	});

	test('a store whose schema is newer than this package is refused', async () => {
		const path = join(dir, 'cases.sqlite');
		await (await openStore({ kind: 'sqlite', path })).close();
		const db = new DatabaseSync(path);
		db.prepare(
			"insert into schema_migrations (version, name, applied_at) values (?, 'future', '2030-01-01')",
		).run(LATEST_SCHEMA_VERSION + 5);
		db.close();
		await expect(openStore({ kind: 'sqlite', path })).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining(`schema version ${LATEST_SCHEMA_VERSION + 5}`),
		});
	});

	test('an unusable path gives STORE_UNAVAILABLE or INTERNAL with the path, not a crash', async () => {
		const file = join(dir, 'a-file');
		require('node:fs').writeFileSync(file, 'x');
		await expect(
			openStore({ kind: 'sqlite', path: join(file, 'sub', 'cases.sqlite') }),
		).rejects.toMatchObject({
			message: expect.stringContaining(file),
		});
	});

	test('the process-wide cache shares one store per configuration', async () => {
		const path = join(dir, 'cases.sqlite');
		const [a, b] = await Promise.all([
			getStore({ kind: 'sqlite', path }),
			getStore({ kind: 'sqlite', path }),
		]);
		expect(a).toBe(b);
		const c = await getStore({ kind: 'sqlite', path, caseNumberFormat: 'X-{SEQ:3}' });
		expect(c).not.toBe(a);
		await a.workflows.create({ name: 'Shared' });
		expect(await c.workflows.getByName('Shared')).toBeDefined();
		await closeAllStores();
		await expect(a.workflows.list()).rejects.toMatchObject({
			code: 'STORE_UNAVAILABLE',
			message: expect.stringContaining('was closed'),
		});
		const d = await getStore({ kind: 'sqlite', path });
		expect(d).not.toBe(a);
		expect((await d.workflows.list()).map((w) => w.name)).toEqual(['Shared']);
	});

	test('a store closed by its owner is dropped from the cache', async () => {
		const path = join(dir, 'cases.sqlite');
		const a = await getStore({ kind: 'sqlite', path });
		await a.close();
		const b = await getStore({ kind: 'sqlite', path });
		expect(b).not.toBe(a);
		expect(await b.countCases()).toBe(0);
	});
});
