import type { Transaction } from 'kysely';
import type { Database } from '../db-types';

/**
 * The writes in this folder are the building blocks of the cases, activities and ledger
 * repositories; each runs inside the caller's transaction.
 */
export type Trx = Transaction<Database>;
