import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import type { Deliver, MailOutcome } from '../../lib/intake/intake-loop';
import type { Disposition, MailSource } from '../../lib/intake/mail-source';
import type { BatchTrace } from '../../lib/intake/phase-trace';
import { classifyMessage } from '../../lib/mail/classify';
import { parseMessage } from '../../lib/mail/parse-message';
import type { Classification, MailClass } from '../../lib/mail/types';
import { describeMail, summaryOf, type MailSummary } from './mail-summary';
import { mailToItem } from './mail-to-item';
import type { TriggerSettings } from './trigger-settings';

export interface RunResult {
	ok: boolean;
	error?: string;
	/**
	 * Set when the run paused in status `waiting` (Wait node, send-and-wait): when n8n resumes it
	 * by itself, or 'call' when it waits for a resume call (webhook, form) without a time limit.
	 */
	waitingUntil?: Date | 'call';
}

/** The error of a finished run, or undefined when it succeeded. */
export function runError(run: IRun | undefined): string | undefined {
	if (!run) return 'The run reported no result';
	const error = run.data?.resultData?.error;
	if (error) return error.message || 'The workflow run failed';
	if (run.status === 'error' || run.status === 'crashed' || run.status === 'canceled')
		return `The workflow run ended with status "${run.status}"`;
	return undefined;
}

/** n8n's WAIT_INDEFINITELY (3000-01-01): the waitTill of a run waiting for a resume call. */
const WAIT_INDEFINITELY_MS = Date.UTC(3000, 0, 1);

/**
 * A run that paused in status `waiting` (Wait node, send-and-wait) counts as success for its
 * mails (issue #13.7). When the done-promise resolves, n8n has saved the execution with its data
 * and resume point: in regular mode the `workflowExecuteAfter` save hook ran before the
 * post-execute promise is resolved; in queue mode the main process reads the execution back from
 * the database before resolving it. The save settings never delete a waiting execution, and
 * n8n's pruning skips waiting ones (as for a successful run, a failed database write is logged
 * by n8n, not reported to the trigger). n8n resumes the execution from its database (wait timer,
 * resume webhook or form), not from the mailbox, so keeping the mail would only hold it back
 * from the next poll; what the resumed part does is in that execution, as for any run. Each
 * such mail is named in the log.
 */
function waitingUntil(run: IRun): Date | 'call' {
	const until = run.waitTill ? new Date(run.waitTill) : undefined;
	if (!until || Number.isNaN(until.getTime())) return 'call';
	return until.getTime() >= WAIT_INDEFINITELY_MS ? 'call' : until;
}

/**
 * Emits one execution and waits until n8n reports its end through the done-promise
 * (acknowledge after success, R-PLUS-1). No answer within the timeout counts as failure.
 */
export async function emitAndWait(
	ctx: ITriggerFunctions,
	data: INodeExecutionData[][],
	timeoutMs: number,
	trace?: BatchTrace,
): Promise<RunResult> {
	const done = ctx.helpers.createDeferredPromise<IRun>();
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), timeoutMs);
	});
	try {
		ctx.emit(data, undefined, done);
		trace?.mark('emit');
		const result = await Promise.race([done.promise, timeout]);
		trace?.mark('run');
		if (result === 'timeout')
			return {
				ok: false,
				error: `No result from the workflow run within ${Math.round(timeoutMs / 1000)} s`,
			};
		const error = runError(result);
		if (error) return { ok: false, error };
		return result.status === 'waiting'
			? { ok: true, waitingUntil: waitingUntil(result) }
			: { ok: true };
	} catch (error) {
		return { ok: false, error: error instanceof Error ? error.message : String(error) };
	} finally {
		clearTimeout(timer);
	}
}

/** The IMAP keyword that records why a mail was set aside, e.g. `$MailCasesSkippedAutoReply`. */
export function skippedKeyword(mailClass: Exclude<MailClass, 'normal'>): string {
	return `$MailCasesSkipped${mailClass[0].toUpperCase()}${mailClass.slice(1)}`;
}

/** Where a mail skipped by its class goes: moved aside with its class, or deleted on request. */
function skipDisposition(
	action: 'skip' | 'delete',
	mailClass: Exclude<MailClass, 'normal'>,
	settings: TriggerSettings,
): Disposition {
	if (action === 'delete') return { kind: 'delete' };
	return { kind: 'move', folder: settings.skippedFolder, keywords: [skippedKeyword(mailClass)] };
}

/** The n8n log line of a skipped mail: nothing leaves the mailbox without a trace (issue #13.4). */
function logSkipped(
	ctx: ITriggerFunctions,
	source: MailSource,
	key: string,
	summary: MailSummary,
	classification: Classification,
	disposition: Disposition,
): void {
	const where =
		disposition.kind === 'move'
			? `goes to folder "${disposition.folder}" with keyword ${disposition.keywords?.join(' ')}`
			: 'is deleted (action "Delete")';
	ctx.logger.info(
		`Mail Cases Trigger: mail ${key} of ${source.description} skipped as ${classification.class} (no run), ${where}: ${describeMail(summary)}; reasons: ${classification.reasons.join('; ')}`,
		{
			mailKey: key,
			mailbox: source.description,
			subject: summary.subject,
			from: summary.from,
			messageId: summary.messageId,
			class: classification.class,
			reasons: classification.reasons,
			skippedTo: disposition.kind === 'move' ? disposition.folder : 'deleted',
		},
	);
}

/** The n8n log line of a mail whose run is waiting (issue #13.7, see waitingUntil). */
function logWaiting(
	ctx: ITriggerFunctions,
	source: MailSource,
	key: string,
	summary: MailSummary,
	until: Date | 'call',
): void {
	const when =
		until === 'call' ? 'until it is resumed (webhook, form)' : `until ${until.toISOString()}`;
	ctx.logger.info(
		`Mail Cases Trigger: the run for mail ${key} of ${source.description} is waiting ${when}; n8n has saved the execution and resumes it from its database, so the mail is disposed of now: ${describeMail(summary)}`,
		{ mailKey: key, mailbox: source.description, subject: summary.subject, waiting: true },
	);
}

/**
 * Parses and classifies a batch, emits what is to be emitted, and reports each mail's outcome.
 * Mail of an automatic class whose action is "Move Aside" or "Delete" starts no run: it gets its
 * own disposition (moved to the Skipped Mail Folder with its class as keyword, or deleted) and a
 * log line. POP3 cannot move mail, so "Move Aside" emits it on the second output there.
 */
export function createDeliver(
	ctx: ITriggerFunctions,
	source: MailSource,
	settings: TriggerSettings,
	systemId: string,
): Deliver {
	return async (batch, trace) => {
		const outcomes = new Map<string, MailOutcome>();
		const main: INodeExecutionData[] = [];
		const routed: INodeExecutionData[] = [];
		const emitted = new Map<string, MailSummary>();
		for (const mail of batch) {
			let parsed;
			try {
				parsed = await parseMessage(mail.raw, { maxBytes: settings.intake.maxMessageBytes });
			} catch (error) {
				outcomes.set(mail.key, {
					status: 'quarantine',
					reason: error instanceof Error ? error.message : String(error),
				});
				continue;
			}
			const classification = classifyMessage(parsed, {
				ignoreSubjectKeywords: settings.ignoreSubjectKeywords,
				systemId,
			});
			const mailClass = classification.class;
			const action = mailClass === 'normal' ? 'emit' : settings.classActions[mailClass];
			if (
				mailClass !== 'normal' &&
				(action === 'delete' || (action === 'skip' && source.protocol !== 'pop3'))
			) {
				const disposition = skipDisposition(action, mailClass, settings);
				outcomes.set(mail.key, { status: 'done', disposition });
				logSkipped(ctx, source, mail.key, summaryOf(parsed), classification, disposition);
				continue;
			}
			const item = await mailToItem(
				ctx,
				parsed,
				classification,
				mail.raw,
				{
					protocol: source.protocol,
					folder: source.folder,
					key: mail.key,
					mailbox: source.description,
				},
				settings,
			);
			(action === 'emit' ? main : routed).push(item);
			emitted.set(mail.key, summaryOf(parsed));
		}
		trace.mark('parse');
		if (emitted.size) {
			const result = await emitAndWait(ctx, [main, routed, []], settings.executionTimeoutMs, trace);
			for (const [key, summary] of emitted) {
				if (result.ok && result.waitingUntil)
					logWaiting(ctx, source, key, summary, result.waitingUntil);
				outcomes.set(
					key,
					result.ok
						? { status: 'done' }
						: { status: 'failed', reason: result.error ?? 'The workflow run failed' },
				);
			}
		}
		return outcomes;
	};
}
