import type { Transaction } from 'kysely';
import { MailCasesError } from '../errors';
import { storeSecrets, type NormalizedStoreConfig } from './config';
import type { Database, Db, Executor } from './db-types';
import type { Backend } from './migrations';
import { toStoreError } from './sql-errors';

/** What every repository needs: the database, the backend, settings, a clock, error mapping. */
export class StoreContext {
	constructor(
		readonly db: Db,
		readonly backend: Backend,
		readonly config: NormalizedStoreConfig,
		/** Names the store in messages (never the password). */
		readonly where: string,
		readonly now: () => Date,
	) {}

	/** What a driver message must not show (lib/secret-echo.ts). */
	get secrets(): Array<string | undefined> {
		return storeSecrets(this.config);
	}

	/** Set by Store.close(); later calls fail with a clear message instead of a driver error. */
	closed = false;

	private assertOpen(): void {
		if (this.closed) {
			throw new MailCasesError(
				'STORE_UNAVAILABLE',
				`${this.where} was closed; open it again (getStore)`,
			);
		}
	}

	/** Runs a read (or a single statement) and maps driver errors. */
	async run<T>(action: string, fn: (db: Executor) => Promise<T>): Promise<T> {
		this.assertOpen();
		try {
			return await fn(this.db);
		} catch (error) {
			throw toStoreError(error, this.where, action, this.secrets);
		}
	}

	/**
	 * Runs fn in one transaction: BEGIN IMMEDIATE on SQLite (the file's write lock is taken up
	 * front), READ COMMITTED plus explicit row locks on PostgreSQL. All or nothing.
	 */
	async transaction<T>(action: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
		this.assertOpen();
		try {
			return await this.db.transaction().execute(fn);
		} catch (error) {
			throw toStoreError(error, this.where, action, this.secrets);
		}
	}

	get isPostgres(): boolean {
		return this.backend === 'postgres';
	}
}
