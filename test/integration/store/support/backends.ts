import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openStore, type Store, type StoreConfig, type StoreOptions } from '../../../../lib/store';

/**
 * The two store backends the shared suite runs against. SQLite: a file in a fresh temp folder.
 * PostgreSQL: the test server (127.0.0.1:5432, user postgres, database test unless PGHOST,
 * PGPORT, PGUSER, PGPASSWORD, PGDATABASE say otherwise) with a fresh schema per run, dropped
 * afterwards.
 */
export type BackendName = 'sqlite' | 'postgres';
export const BACKENDS: BackendName[] = ['sqlite', 'postgres'];

export function pgConnection() {
	return {
		host: process.env.PGHOST || '127.0.0.1',
		port: Number(process.env.PGPORT || 5432),
		user: process.env.PGUSER || 'postgres',
		password: process.env.PGPASSWORD || undefined,
		database: process.env.PGDATABASE || 'test',
	};
}

let counter = 0;

/** A place for one test store: a config and a cleanup that removes all traces. */
export class StoreSite {
	readonly config: StoreConfig;
	private readonly dir?: string;
	readonly schema?: string;
	private readonly stores: Store[] = [];

	constructor(
		readonly backend: BackendName,
		extra: Partial<StoreConfig> = {},
	) {
		counter++;
		if (backend === 'sqlite') {
			this.dir = mkdtempSync(join(tmpdir(), 'mail-cases-store-'));
			this.config = {
				kind: 'sqlite',
				path: join(this.dir, 'cases.sqlite'),
				...extra,
			} as StoreConfig;
		} else {
			this.schema = `mc_test_${process.pid}_${Date.now().toString(36)}_${counter}`;
			this.config = {
				kind: 'postgres',
				...pgConnection(),
				schema: this.schema,
				poolSize: 5,
				...extra,
			} as StoreConfig;
		}
	}

	/** Opens a store on this site (closed by cleanup). */
	async open(options: StoreOptions = {}, extra: Partial<StoreConfig> = {}): Promise<Store> {
		const store = await openStore({ ...this.config, ...extra } as StoreConfig, options);
		this.stores.push(store);
		return store;
	}

	async cleanup(): Promise<void> {
		for (const store of this.stores.splice(0)) await store.close();
		if (this.dir) rmSync(this.dir, { recursive: true, force: true });
		if (this.schema) {
			const client = new Client(pgConnection());
			await client.connect();
			try {
				await client.query(`drop schema if exists "${this.schema}" cascade`);
			} finally {
				await client.end();
			}
		}
	}
}

/** A minimal org chart and workflow most tests need. */
export async function seed(store: Store) {
	const workflow = await store.workflows.create({
		name: 'Complaints',
		fields: [
			{ name: 'Name', type: 'text' },
			{ name: 'Amount', type: 'number', optional: true },
			{ name: 'Due', type: 'date', optional: true },
			{ name: 'Urgent', type: 'boolean', optional: true },
		],
	});
	const inactive = await store.workflows.create({ name: 'Old process', active: false, fields: [] });
	const support = await store.orgUnits.create({
		name: 'Support',
		kind: 'org_unit',
		members: ['agent1@example.com'],
	});
	const backOffice = await store.orgUnits.create({
		name: 'Back office',
		kind: 'role',
		members: ['boss@example.com'],
	});
	return { workflow, inactive, support, backOffice };
}
