import type { Disposition } from './mail-source';
import type { PhaseSink } from './phase-trace';

export interface IntakeOptions {
	/** Mails handed to one workflow execution. */
	mailsPerExecution: number;
	/** Executions that may run at the same time. */
	maxConcurrentExecutions: number;
	/** What happens to a mail after its execution succeeded (R-PROC-4). */
	disposition: Disposition;
	/**
	 * Attempts after which a mail is quarantined (R-PLUS-1). Counted before each run, so runs
	 * that crash or hang n8n count as well (issue #11.3).
	 */
	maxAttempts: number;
	/** Delay before the first retry; doubles with every further failure, capped at 1 hour. */
	retryDelayMs: number;
	/** Longest wait between two looks at the mailbox (IMAP IDLE usually wakes up earlier). */
	pollIntervalMs: number;
	/** Mails larger than this are quarantined without being parsed. */
	maxMessageBytes: number;
	/** Reconnect backoff after a connection loss: first delay and cap. */
	reconnectInitialMs: number;
	reconnectMaxMs: number;
	/**
	 * The reconnect backoff starts over only after the connection stayed up this long: failures
	 * that recur shortly after each reconnect keep growing the delay (and are reported as outage).
	 */
	healthyAfterMs: number;
	/** Most pending mails listed per look (the mailbox is never read whole). */
	listBatch: number;
	/**
	 * Most bytes of mail in one batch (at least one mail): what a batch read ahead of its run
	 * holds in memory.
	 */
	maxBatchBytes: number;
	/** Receives each batch's phase timestamps (issue #17.1); unset: nothing is recorded. */
	phaseSink?: PhaseSink;
}

export const DEFAULT_INTAKE_OPTIONS: IntakeOptions = {
	mailsPerExecution: 10,
	maxConcurrentExecutions: 1,
	disposition: { kind: 'delete' },
	maxAttempts: 5,
	retryDelayMs: 30_000,
	pollIntervalMs: 60_000,
	maxMessageBytes: 25 * 1024 * 1024,
	reconnectInitialMs: 1_000,
	reconnectMaxMs: 5 * 60_000,
	healthyAfterMs: 60_000,
	listBatch: 200,
	maxBatchBytes: 50 * 1024 * 1024,
};

export function retryDelay(options: IntakeOptions, attempts: number): number {
	return Math.min(options.retryDelayMs * 2 ** Math.max(0, attempts - 1), 60 * 60_000);
}
