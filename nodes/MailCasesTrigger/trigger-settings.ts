import type { ITriggerFunctions } from 'n8n-workflow';
import type { IntakeOptions } from '../../lib/intake/intake-options';
import type { Disposition } from '../../lib/intake/mail-source';
import type { GraphDeleteMode } from '../../lib/protocols/graph/graph-source';
import type { MailClass } from '../../lib/mail/types';
import { scaleOutOf } from '../../lib/store/execution-mode';

/**
 * What the trigger does with a mail of an automatic class. `skip` ("Move Aside"): no run; IMAP
 * and Exchange move it to the Skipped Mail Folder with its class recorded, POP3 (which cannot
 * move) emits it on the second output. Saved workflows hold `skip` from the time it deleted the
 * mail: they now move it aside too. `delete`: no run, the mail is deleted, with a log line.
 */
export type ClassAction = 'emit' | 'skip' | 'route' | 'delete';

export interface TriggerSettings {
	intake: Partial<IntakeOptions>;
	classActions: Record<Exclude<MailClass, 'normal'>, ClassAction>;
	ignoreSubjectKeywords: string[];
	quarantineFolder: string;
	/** IMAP or Exchange folder for mail skipped by its class (action "Move Aside"). */
	skippedFolder: string;
	attachmentPrefix: string;
	includeRaw: boolean;
	includeAllHeaders: boolean;
	executionTimeoutMs: number;
	/** Connect, greeting and liveness-check (NOOP) timeout of the mailbox connection. */
	connectionTimeoutMs: number;
	/** Exchange: what "delete" does (move to Deleted Items, or delete permanently). */
	exchangeDeleteMode: GraphDeleteMode;
}

interface Options {
	attachmentPrefix?: string;
	connectionTimeoutSeconds?: number;
	executionTimeoutMinutes?: number;
	includeAllHeaders?: boolean;
	includeRaw?: boolean;
	mailsPerExecution?: number;
	maxAttempts?: number;
	maxConcurrentExecutions?: number;
	maxMessageMb?: number;
	pollIntervalSeconds?: number;
	quarantineFolder?: string;
	retryDelaySeconds?: number;
	skippedFolder?: string;
}

/** Where "Move Aside" puts skipped mail unless the option names another folder. */
export const DEFAULT_SKIPPED_FOLDER = 'Skipped';

/** Exchange's "Delete Permanently" is disposition delete with Graph's permanentDelete. */
export const PERMANENT_DELETE = 'permanentDelete';

/**
 * #15.3: runs in flight at once. POP3: always 1 (one session holds the maildrop). Otherwise the
 * option when it is set; unset: 4 when n8n spreads executions over workers (queue mode,
 * multi-main) — with 1 the workers only take turns (measured: 2 workers at 1 are no faster than
 * one; at 4 a 2-core machine is busy, README "Running in n8n's queue mode") — and 1 in a single
 * n8n process, where mails are processed in arrival order. Safe to raise: sends are claimed in the
 * store and the ledger turns a second delivery into a replay.
 */
export const QUEUE_MODE_CONCURRENCY = 4;

export function concurrencyOf(
	protocol: 'imap' | 'pop3' | 'graph',
	option: number | undefined,
	env: NodeJS.ProcessEnv = process.env,
): number {
	if (protocol === 'pop3') return 1;
	if (option !== undefined && option !== null) return option;
	return scaleOutOf(env) ? QUEUE_MODE_CONCURRENCY : 1;
}

export function readTriggerSettings(
	ctx: ITriggerFunctions,
	protocol: 'imap' | 'pop3' | 'graph',
): TriggerSettings {
	const options = ctx.getNodeParameter('options', {}) as Options;
	const chosen = ctx.getNodeParameter('disposition', 'delete') as
		| Disposition['kind']
		| typeof PERMANENT_DELETE;
	const permanent = protocol === 'graph' && chosen === PERMANENT_DELETE;
	const kind: Disposition['kind'] = chosen === PERMANENT_DELETE ? 'delete' : chosen;
	const disposition: Disposition =
		kind === 'move'
			? {
					kind: 'move',
					folder: (ctx.getNodeParameter('moveFolder', 'Processed') as string) || 'Processed',
				}
			: kind === 'markSeen'
				? { kind: 'markSeen' }
				: { kind: 'delete' };
	const keywords = (ctx.getNodeParameter('ignoreSubjectKeywords', '') as string)
		.split(',')
		.map((k) => k.trim())
		.filter(Boolean);
	const seconds = (value: number | undefined, fallback: number) =>
		(value === undefined || value === null ? fallback : Number(value)) * 1000;
	return {
		intake: {
			disposition,
			mailsPerExecution: options.mailsPerExecution ?? 10,
			maxConcurrentExecutions: concurrencyOf(protocol, options.maxConcurrentExecutions),
			maxAttempts: options.maxAttempts ?? 5,
			retryDelayMs: seconds(options.retryDelaySeconds, 30),
			pollIntervalMs: seconds(options.pollIntervalSeconds, 60),
			maxMessageBytes: (options.maxMessageMb ?? 25) * 1024 * 1024,
		},
		classActions: {
			autoReply: ctx.getNodeParameter('autoReplyAction', 'skip') as ClassAction,
			bounce: ctx.getNodeParameter('bounceAction', 'route') as ClassAction,
			report: ctx.getNodeParameter('reportAction', 'route') as ClassAction,
			list: ctx.getNodeParameter('listAction', 'emit') as ClassAction,
			loop: ctx.getNodeParameter('loopAction', 'skip') as ClassAction,
		},
		ignoreSubjectKeywords: keywords,
		quarantineFolder: options.quarantineFolder || 'Quarantine',
		skippedFolder: options.skippedFolder?.trim() || DEFAULT_SKIPPED_FOLDER,
		attachmentPrefix: options.attachmentPrefix ?? 'attachment_',
		includeRaw: options.includeRaw === true,
		includeAllHeaders: options.includeAllHeaders === true,
		executionTimeoutMs: (options.executionTimeoutMinutes ?? 60) * 60_000,
		connectionTimeoutMs: (options.connectionTimeoutSeconds ?? 20) * 1000,
		exchangeDeleteMode: permanent ? 'permanent' : 'deletedItems',
	};
}
