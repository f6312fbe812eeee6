import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * Table types for Kysely. Columns are typed as both backends return them: SQLite gives
 * 0/1 for booleans, ISO text for timestamps and JSON text; PostgreSQL gives boolean, Date and
 * parsed jsonb. The row mappers in repositories turn both into the public types.
 * JSON is written as text (JSON.stringify); PostgreSQL casts it to jsonb.
 */
type Timestamp = ColumnType<Date | string, Date, Date>;
type Bool = ColumnType<boolean | number, boolean, boolean>;
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;

export interface SchemaMigrationsTable {
	version: number;
	name: string;
	applied_at: Timestamp;
}

export interface WorkflowsTable {
	id: Generated<number>;
	name: string;
	active: Bool;
	fields: Json;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface OrgUnitsTable {
	id: Generated<number>;
	name: string;
	kind: string;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface OrgUnitMembersTable {
	org_unit_id: number;
	email: string;
	email_normalized: string;
	position: number;
}

export interface ContactsTable {
	id: Generated<number>;
	email: string;
	email_normalized: string;
	first_name: string | null;
	last_name: string | null;
	company: string | null;
	phone: string | null;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface CasesTable {
	id: Generated<number>;
	case_number: string;
	workflow_id: number;
	title: string | null;
	status: string;
	fields: Json;
	responsible_org_unit_id: number;
	contact_id: number | null;
	requester_address: string | null;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface CaseNumberCountersTable {
	scope: string;
	last_seq: number;
}

export interface ActivitiesTable {
	id: Generated<number>;
	case_id: number;
	kind: string;
	message_id: string | null;
	from_address: string | null;
	to_addresses: NullableJson;
	cc_addresses: NullableJson;
	subject: string | null;
	text_body: string | null;
	html_body: string | null;
	field_name: string | null;
	old_value: NullableJson;
	new_value: NullableJson;
	changed_by: string | null;
	/** Migration 5 (#14.1). */
	purpose: string | null;
	outcome: string | null;
	outcome_detail: string | null;
	created_at: Timestamp;
}

export interface AttachmentsTable {
	id: Generated<number>;
	activity_id: number;
	position: number;
	file_name: string;
	content_type: string;
	size: number;
	content_id: string | null;
	content: Buffer | null;
}

export interface CaseMessageIdsTable {
	message_id: string;
	case_id: number;
	created_at: Timestamp;
}

export interface ProcessedMessagesTable {
	message_key: string;
	outcome: string;
	case_id: number | null;
	activity_id: number | null;
	detail: string | null;
	/** #13.2: lib/cases/mail-content-digest.ts; null for entries written before. */
	content_digest: string | null;
	processed_at: Timestamp;
}

export interface StoreSecretsTable {
	name: string;
	value: string;
	created_at: Timestamp;
}

export interface SendLimitsTable {
	id: Generated<number>;
	recipient_key: string;
	sent_at: Timestamp;
}

/** Migration 5 (#15.2): claims on sends that must happen once. */
export interface SendClaimsTable {
	claim_key: string;
	/** 'sending' | 'done' */
	state: string;
	message_id: string | null;
	claimed_at: Timestamp;
	/** sending: the end of the lease; done: null. */
	lease_until: ColumnType<Date | string | null, Date | null, Date | null>;
	done_at: ColumnType<Date | string | null, Date | null, Date | null>;
}

export interface Database {
	schema_migrations: SchemaMigrationsTable;
	workflows: WorkflowsTable;
	org_units: OrgUnitsTable;
	org_unit_members: OrgUnitMembersTable;
	contacts: ContactsTable;
	cases: CasesTable;
	case_number_counters: CaseNumberCountersTable;
	activities: ActivitiesTable;
	attachments: AttachmentsTable;
	case_message_ids: CaseMessageIdsTable;
	processed_messages: ProcessedMessagesTable;
	send_limits: SendLimitsTable;
	send_claims: SendClaimsTable;
	store_secrets: StoreSecretsTable;
}

export type Db = Kysely<Database>;
export type Executor = Kysely<Database> | Transaction<Database>;
