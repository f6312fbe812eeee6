/**
 * A store as an older package version left it: the migrations up to `version` applied, with a
 * little data written the way that version wrote it (a workflow, an org unit, a case with an
 * incoming and an outgoing mail, the outgoing Message-ID, a ledger entry). For tests that a
 * store migrates and keeps its data (#14.1 migration 5, #15.4).
 */
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { StoreConfig } from '../../../../lib/store';
import type { Database } from '../../../../lib/store/db-types';
import { migrate } from '../../../../lib/store/migrations';
import { NodeSqliteDialect } from '../../../../lib/store/node-sqlite-dialect';

export const OLD_DATA = {
	caseNumber: '2026-000001',
	ackMessageId: 'ack-old@mail-cases.example',
	requestMessageId: 'request-old@customer.example',
	digest: 'c'.repeat(64),
};

function kyselyFor(config: StoreConfig): Kysely<Database> {
	if (config.kind === 'sqlite') {
		return new Kysely<Database>({
			dialect: new NodeSqliteDialect({
				busyTimeoutMs: 5000,
				open: () => new DatabaseSync(config.path ?? ':memory:', { timeout: 25 }),
				onOpen: (db) => db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON'),
			}),
		});
	}
	const pool = new Pool({
		host: config.host,
		port: config.port,
		user: config.user,
		password: config.password,
		database: config.database,
		max: 1,
	});
	return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }).withSchema(
		config.schema ?? 'mail_cases',
	);
}

/** Migrates the store of `config` up to `version` and writes the old data. */
export async function createOlderStore(config: StoreConfig, version: number): Promise<void> {
	const db = kyselyFor(config);
	try {
		const backend = config.kind;
		const reached = await migrate(
			db,
			backend,
			config.kind === 'postgres' ? (config.schema ?? 'mail_cases') : undefined,
			version,
		);
		if (reached !== version) throw new Error(`older store: reached ${reached}, not ${version}`);
		const at = new Date(2026, 1, 2, 9, 30);
		const workflow = await db
			.insertInto('workflows')
			.values({ name: 'Old', active: true, fields: '[]', created_at: at, updated_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		const unit = await db
			.insertInto('org_units')
			.values({ name: 'Old desk', kind: 'org_unit', created_at: at, updated_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		const kase = await db
			.insertInto('cases')
			.values({
				case_number: OLD_DATA.caseNumber,
				workflow_id: Number(workflow.id),
				title: 'Old case',
				status: 'open',
				fields: '{}',
				responsible_org_unit_id: Number(unit.id),
				contact_id: null,
				requester_address: 'old@customer.example',
				created_at: at,
				updated_at: at,
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const caseId = Number(kase.id);
		const activity = (kind: string, messageId: string, subject: string) => ({
			case_id: caseId,
			kind,
			message_id: messageId,
			from_address: kind === 'incoming_mail' ? 'old@customer.example' : 'service@firma.example',
			to_addresses: '[]',
			cc_addresses: '[]',
			subject,
			text_body: null,
			html_body: null,
			field_name: null,
			old_value: null,
			new_value: null,
			changed_by: null,
			created_at: at,
		});
		// written as that version wrote them: without the columns of migration 5
		const incoming = await db
			.insertInto('activities')
			.values(activity('incoming_mail', OLD_DATA.requestMessageId, 'Old request'))
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('activities')
			.values(activity('outgoing_mail', OLD_DATA.ackMessageId, 'Old acknowledgement'))
			.execute();
		await db
			.insertInto('case_message_ids')
			.values({ message_id: OLD_DATA.ackMessageId, case_id: caseId, created_at: at })
			.execute();
		await db
			.insertInto('processed_messages')
			.values({
				message_key: `mid:${OLD_DATA.requestMessageId}`,
				outcome: 'case_created',
				case_id: caseId,
				activity_id: Number(incoming.id),
				detail: null,
				content_digest: OLD_DATA.digest,
				processed_at: at,
			})
			.execute();
	} finally {
		await db.destroy();
	}
}
