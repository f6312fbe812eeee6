import type { INodeType, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { createMailSource, type SourceProfile } from '../../lib/protocols/create-mail-source';
import { IntakeLoop } from '../../lib/intake/intake-loop';
import { formatPhases, tracePhasesEnabled, TRACE_PHASES_ENV } from '../../lib/intake/phase-trace';
import type { MailSource } from '../../lib/intake/mail-source';
import { toNodeError } from '../shared/errors';
import { exchangeProfileFrom, mailboxProfileFrom } from '../shared/profiles';
import { createDeliver } from './deliver';
import { mailCasesExchangeTest, mailCasesMailboxTest } from '../shared/profile-credential-tests';
import { emitNewestMail } from './manual-fetch';
import { createEventReporter } from './report-events';
import { pop3StaticState } from './pop3-static-state';
import { MAILBOX_TYPE } from './trigger.properties';
import { readTriggerSettings } from './trigger-settings';
import { description } from './description';

/** Longest wait between two delta checks for new Exchange mail. */
const EXCHANGE_CHECK_INTERVAL_MS = 15_000;

/** The profile chosen by "Mailbox Type": an IMAP/POP3 mailbox profile or an Exchange profile. */
async function readSourceProfile(ctx: ITriggerFunctions): Promise<SourceProfile> {
	const type = ctx.getNodeParameter('mailboxType', MAILBOX_TYPE.mailbox) as string;
	if (type === MAILBOX_TYPE.exchange)
		return {
			kind: 'exchange',
			profile: exchangeProfileFrom(await ctx.getCredentials('mailCasesExchange')),
		};
	return {
		kind: 'mailbox',
		profile: mailboxProfileFrom(await ctx.getCredentials('mailCasesMailbox')),
	};
}

export class MailCasesTrigger implements INodeType {
	description = description;

	methods = {
		// The "Test" buttons of the mailbox and Exchange profile dialogs.
		credentialTest: { mailCasesMailboxTest, mailCasesExchangeTest },
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const from = await readSourceProfile(this);
		const settings = readTriggerSettings(
			this,
			from.kind === 'exchange' ? 'graph' : from.profile.protocol,
		);
		from.profile.timeoutMs = settings.connectionTimeoutMs;
		const pop3 =
			from.kind === 'mailbox' ? pop3StaticState(this.getWorkflowStaticData('node')) : undefined;
		const systemId = this.getInstanceId();
		let source: MailSource;
		try {
			source = createMailSource(from, {
				quarantineFolder: settings.quarantineFolder,
				pop3State: pop3?.state,
				pop3StateChanged: pop3?.changed,
				exchangeDeleteMode: settings.exchangeDeleteMode,
				// New Exchange mail is looked for (delta query) every 15 s between two listings.
				exchangeCheckIntervalMs: Math.min(
					EXCHANGE_CHECK_INTERVAL_MS,
					settings.intake.pollIntervalMs ?? EXCHANGE_CHECK_INTERVAL_MS,
				),
			});
		} catch (error) {
			// An Exchange profile that cannot work at all, e.g. a client id that is not a GUID.
			throw toNodeError(this.getNode(), error);
		}

		if (this.getMode() === 'manual') {
			const manualTriggerFunction = async () => {
				try {
					await emitNewestMail(this, source, settings, systemId);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			};
			return { manualTriggerFunction, closeFunction: async () => await source.close() };
		}

		const loop = new IntakeLoop(
			source,
			createDeliver(this, source, settings, systemId),
			createEventReporter(this, source),
			{
				...settings.intake,
				// Debug switch of the n8n process (issue #17.1), not of the workflow: one log line per
				// batch with the timestamps of its phases.
				phaseSink: tracePhasesEnabled()
					? (record) =>
							this.logger.info(
								`Mail Cases Trigger phases (${TRACE_PHASES_ENV}): ${formatPhases(record)}`,
								{ mailbox: source.description, phases: record },
							)
					: undefined,
			},
		);
		loop.start();
		return { closeFunction: async () => await loop.stop() };
	}
}
