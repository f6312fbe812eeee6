/**
 * Issue #15.1: in n8n's queue mode (main + workers, `EXECUTIONS_MODE=queue`) or its multi-main
 * setup (`N8N_MULTI_MAIN_SETUP_ENABLED=true`) executions run in several processes, often on
 * several hosts. An embedded SQLite store would then be one file per process: two workers would
 * number cases alike and replies would land on another customer's case, with every execution
 * green. So the case nodes refuse a SQLite store there and name what to select instead.
 */
import { MailCasesError } from '../errors';
import type { StoreConfig } from './config';

export type ScaleOut = 'queue mode' | 'multi-main setup';

/** How n8n spreads executions over processes, read from n8n's own environment variables. */
export function scaleOutOf(env: NodeJS.ProcessEnv = process.env): ScaleOut | undefined {
	if ((env.EXECUTIONS_MODE ?? '').trim().toLowerCase() === 'queue') return 'queue mode';
	if ((env.N8N_MULTI_MAIN_SETUP_ENABLED ?? '').trim().toLowerCase() === 'true')
		return 'multi-main setup';
	return undefined;
}

/**
 * Throws STORE_NOT_SHARED when executions run in several processes and the store is SQLite
 * (`fromCredential`: chosen in a "Mail Cases Store" credential, else the embedded default).
 */
export function assertStoreShared(
	config: StoreConfig,
	fromCredential: boolean,
	env: NodeJS.ProcessEnv = process.env,
): void {
	const mode = scaleOutOf(env);
	if (!mode || config.kind === 'postgres') return;
	const what = fromCredential
		? 'The selected "Mail Cases Store" credential is a SQLite file'
		: 'This node has no "Mail Cases Store" credential, so it would use the embedded SQLite file of this n8n process';
	throw new MailCasesError(
		'STORE_NOT_SHARED',
		`${what}, but n8n runs in ${mode}: executions run in several processes, each would keep its own cases, case numbers and ledger, and replies would land on the wrong cases. ` +
			'Create a "Mail Cases Store" credential of type PostgreSQL and select it in every Mail Cases node of the workflow (the same credential for all).',
	);
}
