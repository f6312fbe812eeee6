import { NodeApiError, type JsonObject, type ITriggerFunctions } from 'n8n-workflow';
import type { IntakeEvent } from '../../lib/intake/intake-loop';
import type { MailSource } from '../../lib/intake/mail-source';
import { describeMail, summaryOfRaw } from './mail-summary';

/** Attempts after which a connection outage is reported as a failed execution. */
const REPORT_OUTAGE_AFTER = 3;

/**
 * Turns intake events into n8n reports, so no lasting failure is silent: quarantined mails are
 * emitted on the "Quarantined" output and logged (subject, from, date, Message-ID, size, reason
 * and kind, read from the header section), a lasting outage is saved as a failed execution, and
 * a rejected login is a fatal trigger error (n8n then re-activates the workflow with backoff).
 */
export function createEventReporter(ctx: ITriggerFunctions, source: MailSource) {
	return (event: IntakeEvent): void => {
		const where = source.description;
		switch (event.type) {
			case 'quarantined': {
				// Header section only, bounded: the mail may be hostile, and for a mail too large to
				// read (kind oversize) the bytes are not there at all.
				const summary = summaryOfRaw(event.raw, event.size);
				ctx.logger.warn(
					`Mail Cases Trigger: mail ${event.key} of ${where} quarantined (${event.kind}): ${event.reason}` +
						(event.raw
							? ` — ${describeMail(summary)}`
							: ` — ${summary.size ?? '?'} bytes, not read`),
					{ mailKey: event.key, mailbox: where, kind: event.kind, messageId: summary.messageId },
				);
				ctx.emit([
					[],
					[],
					[
						{
							json: {
								key: event.key,
								kind: event.kind,
								reason: event.reason,
								subject: summary.subject,
								from: summary.from,
								fromName: summary.fromName,
								date: summary.date,
								messageId: summary.messageId,
								size: summary.size,
								mailbox: where,
								protocol: source.protocol,
								folder: source.folder,
								quarantinedAt: new Date().toISOString(),
							},
						},
					],
				]);
				break;
			}
			case 'retryScheduled':
				ctx.logger.warn(
					`Mail Cases Trigger: mail ${event.key} failed (attempt ${event.attempts}), retry in ${Math.round(event.retryInMs / 1000)} s: ${event.reason}`,
				);
				break;
			case 'connectionRestored':
				ctx.logger.info(
					`Mail Cases Trigger: connection to ${where} restored after ${Math.round(event.downMs / 1000)} s`,
				);
				break;
			case 'connectionLost': {
				ctx.logger.warn(
					`Mail Cases Trigger: ${event.error.message} (attempt ${event.attempt}, retry in ${Math.round(event.retryInMs / 1000)} s)`,
				);
				const error = new NodeApiError(
					ctx.getNode(),
					{ message: event.error.message, code: event.error.code } as JsonObject,
					{
						message: event.error.message,
						description: `Error code ${event.error.code}. The trigger keeps retrying.`,
					},
				);
				if (event.error.code === 'AUTH_FAILED') {
					ctx.emitError(error);
				} else if (event.attempt === REPORT_OUTAGE_AFTER) {
					if (typeof ctx.saveFailedExecution === 'function') ctx.saveFailedExecution(error);
					else ctx.emitError(error);
				}
				break;
			}
			case 'batchFailed':
				ctx.logger.warn(
					`Mail Cases Trigger: a run of ${event.keys.length} mails of ${where} failed (${event.reason}); each of them runs alone now, not counted as another attempt`,
				);
				break;
			case 'keyVoided':
				ctx.logger.warn(
					`Mail Cases Trigger: the run for mail ${event.key} of ${where} succeeded, but the folder was recreated meanwhile (new UIDVALIDITY), so nothing was removed under that number; the mail will be read again under its new number`,
				);
				break;
			case 'processed':
				break;
		}
	};
}
