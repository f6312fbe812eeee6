/**
 * The case store (issue #3): workflows, org chart, contacts, cases with gap-free numbers,
 * activities with attachments, and the processed-message ledger, over an embedded SQLite file
 * (node:sqlite) or a shared PostgreSQL. Design notes: lib/store/README.md.
 */
export {
	DEFAULT_MAX_ATTACHMENT_BYTES_PER_MAIL,
	DEFAULT_PG_SCHEMA,
	DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
	defaultSqlitePath,
	describeStore,
	normalizeStoreConfig,
	type PostgresStoreConfig,
	type SqliteStoreConfig,
	type StoreCommonConfig,
	type StoreConfig,
} from './config';
export { assertStoreShared, scaleOutOf, type ScaleOut } from './execution-mode';
export { closeAllStores, getStore, openStore, type Store, type StoreOptions } from './open-store';
export { LATEST_SCHEMA_VERSION, type Backend } from './migrations';
export { messageKeyOf, normalizeEmail } from './message-keys';
export { validateFieldDefinitions, validateFieldValues } from './field-values';
export type { WorkflowRepository } from './repositories/workflows';
export type { OrgUnitRepository } from './repositories/org-units';
export type { ContactRepository } from './repositories/contacts';
export type { CaseRepository } from './repositories/cases';
export type { ActivityRepository } from './repositories/activities';
export type { LedgerRepository } from './repositories/ledger';
export type { SendClaimRepository } from './repositories/send-claims';
export type { SendLimitRepository, SendLimitReservation } from './repositories/send-limits';
export * from './types';
