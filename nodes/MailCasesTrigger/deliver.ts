import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import type { Deliver, MailOutcome } from '../../lib/intake/intake-loop';
import type { MailSource } from '../../lib/intake/mail-source';
import { classifyMessage } from '../../lib/mail/classify';
import { parseMessage } from '../../lib/mail/parse-message';
import { mailToItem } from './mail-to-item';
import type { TriggerSettings } from './trigger-settings';

export interface RunResult {
	ok: boolean;
	error?: string;
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

/**
 * Emits one execution and waits until n8n reports its end through the done-promise
 * (acknowledge after success, R-PLUS-1). No answer within the timeout counts as failure.
 */
export async function emitAndWait(
	ctx: ITriggerFunctions,
	data: INodeExecutionData[][],
	timeoutMs: number,
): Promise<RunResult> {
	const done = ctx.helpers.createDeferredPromise<IRun>();
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), timeoutMs);
	});
	try {
		ctx.emit(data, undefined, done);
		const result = await Promise.race([done.promise, timeout]);
		if (result === 'timeout')
			return {
				ok: false,
				error: `No result from the workflow run within ${Math.round(timeoutMs / 1000)} s`,
			};
		const error = runError(result);
		return error ? { ok: false, error } : { ok: true };
	} catch (error) {
		return { ok: false, error: error instanceof Error ? error.message : String(error) };
	} finally {
		clearTimeout(timer);
	}
}

/** Parses and classifies a batch, emits what is to be emitted, and reports each mail's outcome. */
export function createDeliver(
	ctx: ITriggerFunctions,
	source: MailSource,
	settings: TriggerSettings,
	systemId: string,
): Deliver {
	return async (batch) => {
		const outcomes = new Map<string, MailOutcome>();
		const main: INodeExecutionData[] = [];
		const routed: INodeExecutionData[] = [];
		const emitted: string[] = [];
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
			const action =
				classification.class === 'normal' ? 'emit' : settings.classActions[classification.class];
			if (action === 'skip') {
				outcomes.set(mail.key, { status: 'done' });
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
			(action === 'route' ? routed : main).push(item);
			emitted.push(mail.key);
		}
		if (emitted.length) {
			const result = await emitAndWait(ctx, [main, routed, []], settings.executionTimeoutMs);
			for (const key of emitted) {
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
