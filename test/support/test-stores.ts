/**
 * Throw-away case stores for tests: a SQLite file in a temp dir or a fresh PostgreSQL schema,
 * as the engine config, as the "Mail Cases Store" credential a user would enter, and a `drop`
 * that removes every trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { StoreConfig } from '../../lib/store';
import { pgConnection } from '../integration/store/support/backends';

export interface TestStore {
	config: StoreConfig;
	credential: Record<string, string | number>;
	drop(): Promise<void>;
}

export function sqliteTestStore(prefix: string): TestStore {
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	const path = join(dir, 'cases.sqlite');
	return {
		config: { kind: 'sqlite', path },
		credential: { kind: 'sqlite', path },
		drop: async () => rmSync(dir, { recursive: true, force: true }),
	};
}

/** A fresh schema; `via` makes the credential reach PostgreSQL through another address (a relay). */
export function pgTestStore(prefix: string, via?: { host: string; port: number }): TestStore {
	const pg = pgConnection();
	const schema = `${prefix.replace(/\W/g, '_')}_${process.pid}_${randomUUID().slice(0, 8)}`;
	return {
		config: { kind: 'postgres', ...pg, schema },
		credential: {
			kind: 'postgres',
			host: via?.host ?? pg.host,
			port: via?.port ?? pg.port,
			database: pg.database,
			user: pg.user,
			password: pg.password ?? '',
			schema,
			ssl: 'off',
		},
		drop: async () => {
			const client = new Client(pg);
			await client.connect();
			try {
				await client.query(`drop schema if exists "${schema}" cascade`);
			} finally {
				await client.end();
			}
		},
	};
}

export function testStore(backend: 'sqlite' | 'postgres', prefix: string): TestStore {
	return backend === 'sqlite' ? sqliteTestStore(prefix) : pgTestStore(prefix);
}
