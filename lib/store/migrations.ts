import { sql, type CreateTableBuilder, type Kysely, type Transaction } from 'kysely';
import { newCaseReferenceSecret } from './case-reference-tag';
import type { Database } from './db-types';

/** Row of store_secrets that holds the key of case reference tags (issue #11.7). */
export const CASE_REFERENCE_SECRET_NAME = 'case-reference-tag';

export type Backend = 'sqlite' | 'postgres';

/** Column types that differ between the backends; everything else is written once. */
interface Types {
	id: 'integer' | 'bigserial';
	ref: 'bigint';
	timestamp: 'text' | 'timestamptz';
	json: 'text' | 'jsonb';
	bool: 'integer' | 'boolean';
	blob: 'blob' | 'bytea';
}

function typesFor(backend: Backend): Types {
	return backend === 'postgres'
		? {
				id: 'bigserial',
				ref: 'bigint',
				timestamp: 'timestamptz',
				json: 'jsonb',
				bool: 'boolean',
				blob: 'bytea',
			}
		: {
				id: 'integer',
				ref: 'bigint',
				timestamp: 'text',
				json: 'text',
				bool: 'integer',
				blob: 'blob',
			};
}

// Migrations describe tables that the typed Database interface does not know yet.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = any;
type AnyDb = Kysely<Untyped> | Transaction<Untyped>;

function withId<T extends string>(
	t: Types,
	table: CreateTableBuilder<T, Untyped>,
): CreateTableBuilder<T, Untyped> {
	return t.id === 'integer'
		? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		: table.addColumn('id', 'bigserial', (c) => c.primaryKey());
}

export interface Migration {
	version: number;
	name: string;
	up(db: AnyDb, backend: Backend): Promise<void>;
}

/**
 * The one migration set for both backends. Append new migrations; never edit an applied one.
 * Each runs inside the migration transaction (both backends have transactional DDL).
 */
export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: 'initial schema',
		async up(db, backend) {
			const t = typesFor(backend);
			await withId(t, db.schema.createTable('workflows'))
				.addColumn('name', 'text', (c) => c.notNull().unique())
				.addColumn('active', t.bool, (c) => c.notNull())
				.addColumn('fields', t.json, (c) => c.notNull())
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.addColumn('updated_at', t.timestamp, (c) => c.notNull())
				.execute();

			await withId(t, db.schema.createTable('org_units'))
				.addColumn('name', 'text', (c) => c.notNull().unique())
				.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('org_unit', 'role')`))
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.addColumn('updated_at', t.timestamp, (c) => c.notNull())
				.execute();

			await db.schema
				.createTable('org_unit_members')
				.addColumn('org_unit_id', t.ref, (c) =>
					c.notNull().references('org_units.id').onDelete('cascade'),
				)
				.addColumn('email', 'text', (c) => c.notNull())
				.addColumn('email_normalized', 'text', (c) => c.notNull())
				.addColumn('position', 'integer', (c) => c.notNull())
				.addPrimaryKeyConstraint('org_unit_members_pk', ['org_unit_id', 'email_normalized'])
				.execute();
			await db.schema
				.createIndex('org_unit_members_email_idx')
				.on('org_unit_members')
				.column('email_normalized')
				.execute();

			await withId(t, db.schema.createTable('contacts'))
				.addColumn('email', 'text', (c) => c.notNull())
				.addColumn('email_normalized', 'text', (c) => c.notNull())
				.addColumn('first_name', 'text')
				.addColumn('last_name', 'text')
				.addColumn('company', 'text')
				.addColumn('phone', 'text')
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.addColumn('updated_at', t.timestamp, (c) => c.notNull())
				.execute();
			// (email_normalized, id): the lookup and its "oldest first" order come from one index
			await db.schema
				.createIndex('contacts_email_idx')
				.on('contacts')
				.columns(['email_normalized', 'id'])
				.execute();

			await withId(t, db.schema.createTable('cases'))
				.addColumn('case_number', 'text', (c) => c.notNull().unique())
				.addColumn('workflow_id', t.ref, (c) => c.notNull().references('workflows.id'))
				.addColumn('title', 'text')
				.addColumn('status', 'text', (c) => c.notNull())
				.addColumn('fields', t.json, (c) => c.notNull())
				.addColumn('responsible_org_unit_id', t.ref, (c) => c.notNull().references('org_units.id'))
				.addColumn('contact_id', t.ref, (c) => c.references('contacts.id').onDelete('set null'))
				.addColumn('requester_address', 'text')
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.addColumn('updated_at', t.timestamp, (c) => c.notNull())
				.execute();
			await db.schema.createIndex('cases_workflow_idx').on('cases').column('workflow_id').execute();
			await db.schema
				.createIndex('cases_responsible_idx')
				.on('cases')
				.columns(['responsible_org_unit_id', 'status'])
				.execute();
			await db.schema.createIndex('cases_contact_idx').on('cases').column('contact_id').execute();

			await db.schema
				.createTable('case_number_counters')
				.addColumn('scope', 'text', (c) => c.primaryKey())
				.addColumn('last_seq', 'bigint', (c) => c.notNull())
				.execute();

			await withId(t, db.schema.createTable('activities'))
				.addColumn('case_id', t.ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
				.addColumn('kind', 'text', (c) =>
					c
						.notNull()
						.check(sql`kind in ('incoming_mail', 'outgoing_mail', 'note', 'field_change')`),
				)
				.addColumn('message_id', 'text')
				.addColumn('from_address', 'text')
				.addColumn('to_addresses', t.json)
				.addColumn('cc_addresses', t.json)
				.addColumn('subject', 'text')
				.addColumn('text_body', 'text')
				.addColumn('html_body', 'text')
				.addColumn('field_name', 'text')
				.addColumn('old_value', t.json)
				.addColumn('new_value', t.json)
				.addColumn('changed_by', 'text')
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.execute();
			await db.schema
				.createIndex('activities_case_idx')
				.on('activities')
				.columns(['case_id', 'id'])
				.execute();
			await db.schema
				.createIndex('activities_message_id_idx')
				.on('activities')
				.column('message_id')
				.execute();

			await withId(t, db.schema.createTable('attachments'))
				.addColumn('activity_id', t.ref, (c) =>
					c.notNull().references('activities.id').onDelete('cascade'),
				)
				.addColumn('position', 'integer', (c) => c.notNull())
				.addColumn('file_name', 'text', (c) => c.notNull())
				.addColumn('content_type', 'text', (c) => c.notNull())
				.addColumn('size', 'bigint', (c) => c.notNull())
				.addColumn('content_id', 'text')
				.addColumn('content', t.blob)
				.execute();
			await db.schema
				.createIndex('attachments_activity_idx')
				.on('attachments')
				.columns(['activity_id', 'position'])
				.execute();

			await db.schema
				.createTable('case_message_ids')
				.addColumn('message_id', 'text', (c) => c.primaryKey())
				.addColumn('case_id', t.ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.execute();
			await db.schema
				.createIndex('case_message_ids_case_idx')
				.on('case_message_ids')
				.column('case_id')
				.execute();

			await db.schema
				.createTable('processed_messages')
				.addColumn('message_key', 'text', (c) => c.primaryKey())
				.addColumn('outcome', 'text', (c) =>
					c
						.notNull()
						.check(
							sql`outcome in ('case_created', 'activity_added', 'forwarded', 'ignored', 'quarantined')`,
						),
				)
				.addColumn('case_id', t.ref, (c) => c.references('cases.id').onDelete('set null'))
				.addColumn('activity_id', t.ref, (c) => c.references('activities.id').onDelete('set null'))
				.addColumn('detail', 'text')
				.addColumn('processed_at', t.timestamp, (c) => c.notNull())
				.execute();
		},
	},
	{
		version: 2,
		name: 'store secrets (case reference tag key)',
		async up(db, backend) {
			const t = typesFor(backend);
			// issue #11.7: the secret behind the tags of signed case references; never leaves the
			// store (lib/store/store-secrets.ts reads it, lib/store/case-reference-tag.ts uses it)
			await db.schema
				.createTable('store_secrets')
				.addColumn('name', 'text', (c) => c.primaryKey())
				.addColumn('value', 'text', (c) => c.notNull())
				.addColumn('created_at', t.timestamp, (c) => c.notNull())
				.execute();
			await db
				.insertInto('store_secrets')
				.values({
					name: CASE_REFERENCE_SECRET_NAME,
					value: newCaseReferenceSecret(),
					created_at: new Date(),
				})
				.execute();
		},
	},
	{
		version: 3,
		name: 'send limits per recipient (acknowledgements)',
		async up(db, backend) {
			const t = typesFor(backend);
			// issue #11.6: mails counted per recipient (lib/store/repositories/send-limits.ts)
			await withId(t, db.schema.createTable('send_limits'))
				.addColumn('recipient_key', 'text', (c) => c.notNull())
				.addColumn('sent_at', t.timestamp, (c) => c.notNull())
				.execute();
			await db.schema
				.createIndex('send_limits_key_idx')
				.on('send_limits')
				.columns(['recipient_key', 'sent_at'])
				.execute();
			await db.schema
				.createIndex('send_limits_sent_idx')
				.on('send_limits')
				.column('sent_at')
				.execute();
		},
	},
	{
		version: 4,
		name: 'content digest of processed mails (Message-ID reuse)',
		async up(db) {
			// issue #13.2: the ledger tells a replay (same digest) from another mail under a
			// Message-ID it has seen (digest differs); entries written before have none and count
			// as replays, as they did
			await db.schema
				.alterTable('processed_messages')
				.addColumn('content_digest', 'text')
				.execute();
		},
	},
	{
		version: 5,
		name: 'outcomes of activities (case history) and send claims',
		async up(db, backend) {
			const t = typesFor(backend);
			// issue #14.1: what a mail we sent was for and what became of it (sent, rejected,
			// failed, bounced), a bounce (delivery_failure), Field-line feedback (field_feedback).
			// No CHECK constraints: new purposes and outcomes must not need a table rebuild on
			// SQLite; the repositories check the values they write.
			for (const column of ['purpose', 'outcome', 'outcome_detail']) {
				await db.schema.alterTable('activities').addColumn(column, 'text').execute();
			}
			// issue #15.2: one row per send that must happen once (lib/store/repositories/send-claims.ts)
			await db.schema
				.createTable('send_claims')
				.addColumn('claim_key', 'text', (c) => c.primaryKey())
				.addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('sending', 'done')`))
				.addColumn('message_id', 'text')
				.addColumn('claimed_at', t.timestamp, (c) => c.notNull())
				// sending: until when the claim holds; done: null
				.addColumn('lease_until', t.timestamp)
				.addColumn('done_at', t.timestamp)
				.execute();
			// old claims are removed by the time they were taken (SendClaimRepository)
			await db.schema
				.createIndex('send_claims_claimed_idx')
				.on('send_claims')
				.column('claimed_at')
				.execute();
		},
	},
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Two 32-bit keys for pg_advisory_xact_lock, derived from the schema name. */
function advisoryLockKeys(schema: string): [number, number] {
	let hash = 0x811c9dc5;
	for (const ch of Buffer.from(`mail-cases:${schema}`)) {
		hash ^= ch;
		hash = Math.imul(hash, 0x01000193);
	}
	return [0x6d63_7331 | 0, hash | 0]; // first key: "mcs1", a namespace for this package
}

/** Whether the store has its schema_migrations table, from the catalog (a plain read). */
async function hasMigrationTable(db: AnyDb, backend: Backend, pgSchema?: string): Promise<boolean> {
	const found =
		backend === 'postgres'
			? await sql<{ one: number }>`select 1 as one from pg_catalog.pg_tables
					where schemaname = ${pgSchema ?? 'public'} and tablename = 'schema_migrations'`.execute(db)
			: await sql<{ one: number }>`select 1 as one from sqlite_master
					where type = 'table' and name = 'schema_migrations'`.execute(db);
	return found.rows.length > 0;
}

/**
 * #15.4: the versions of the migrations applied to the store (empty for a new store), read
 * without writing anything: the catalog tells whether schema_migrations exists, then it is
 * read. Needs only USAGE on the schema and SELECT on schema_migrations.
 */
export async function appliedMigrations(
	db: AnyDb,
	backend: Backend,
	pgSchema?: string,
): Promise<Set<number>> {
	if (!(await hasMigrationTable(db, backend, pgSchema))) return new Set();
	const rows = await (db as Kysely<Database>)
		.selectFrom('schema_migrations')
		.select('version')
		.execute();
	return new Set(rows.map((r) => Number(r.version)));
}

/** The migrations of this package that are not in `applied`, in order. */
export function pendingMigrations(applied: ReadonlySet<number>): Migration[] {
	return MIGRATIONS.filter((m) => !applied.has(m.version));
}

/**
 * Applies the missing migrations, guarded against two processes migrating at once:
 * PostgreSQL takes a transaction-scoped advisory lock (keyed by the schema name) before it
 * looks at anything; SQLite runs in a BEGIN IMMEDIATE transaction, which in WAL mode is the
 * exclusive write lock of the file. Whoever comes second waits, then finds the schema current.
 * Needs the rights of the schema's owner (CREATE on the schema, ALTER of the tables); the store
 * calls it only when `appliedMigrations` shows that something is missing (#15.4).
 * Returns the schema version afterwards. `target` (tests: a store of an older version) stops
 * after that migration.
 */
export async function migrate(
	db: Kysely<Database>,
	backend: Backend,
	pgSchema?: string,
	target: number = LATEST_SCHEMA_VERSION,
): Promise<number> {
	return await db.transaction().execute(async (trx) => {
		if (backend === 'postgres') {
			const [k1, k2] = advisoryLockKeys(pgSchema ?? 'public');
			await sql`select pg_advisory_xact_lock(${k1}::int4, ${k2}::int4)`.execute(trx);
			// create the schema only when missing: CREATE SCHEMA needs the CREATE right on the
			// database even with IF NOT EXISTS, which a user of a pre-made schema may lack
			const schema = pgSchema ?? 'public';
			const found = await sql<{
				one: number;
			}>`select 1 as one from pg_namespace where nspname = ${schema}`.execute(trx);
			if (found.rows.length === 0) await sql`create schema ${sql.id(schema)}`.execute(trx);
		}
		if (!(await hasMigrationTable(trx, backend, pgSchema))) {
			await trx.schema
				.createTable('schema_migrations')
				.addColumn('version', 'integer', (c) => c.primaryKey())
				.addColumn('name', 'text', (c) => c.notNull())
				.addColumn('applied_at', typesFor(backend).timestamp, (c) => c.notNull())
				.execute();
		}
		const applied = await appliedMigrations(trx, backend, pgSchema);
		const newest = Math.max(0, ...applied);
		if (newest > LATEST_SCHEMA_VERSION) {
			// a newer package version migrated this store; do not touch it
			return newest;
		}
		for (const migration of pendingMigrations(applied)) {
			if (migration.version > target) break;
			await migration.up(trx, backend);
			await trx
				.insertInto('schema_migrations')
				.values({ version: migration.version, name: migration.name, applied_at: new Date() })
				.execute();
		}
		return Math.max(newest, Math.min(target, LATEST_SCHEMA_VERSION));
	});
}
