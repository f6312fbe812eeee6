import type { ITriggerFunctions } from 'n8n-workflow';
import type { MailSource } from '../../lib/intake/mail-source';
import { classifyMessage } from '../../lib/mail/classify';
import { parseMessage } from '../../lib/mail/parse-message';
import { MailCasesError } from '../../lib/errors';
import { mailToItem } from './mail-to-item';
import type { TriggerSettings } from './trigger-settings';

/** "Fetch test event": emits the newest mail of the mailbox and removes nothing. */
export async function emitNewestMail(
	ctx: ITriggerFunctions,
	source: MailSource,
	settings: TriggerSettings,
	systemId: string,
): Promise<void> {
	await source.open();
	try {
		const pending = await source.listPending(Number.MAX_SAFE_INTEGER, new Set());
		const newest = pending[pending.length - 1];
		if (!newest)
			throw new MailCasesError(
				'NOT_FOUND',
				`No mail in ${source.description} to show. Send a mail to the mailbox and try again.`,
			);
		const raw = await source.fetch(newest.key);
		const parsed = await parseMessage(raw, { maxBytes: settings.intake.maxMessageBytes });
		const classification = classifyMessage(parsed, {
			ignoreSubjectKeywords: settings.ignoreSubjectKeywords,
			systemId,
		});
		const item = await mailToItem(
			ctx,
			parsed,
			classification,
			raw,
			{
				protocol: source.protocol,
				folder: source.folder,
				key: newest.key,
				mailbox: source.description,
			},
			settings,
		);
		// Mail that a run would not get on the first output (routed, moved aside, deleted) is shown
		// on the second, so the test event does not suggest the workflow would process it.
		const asMail =
			classification.class === 'normal' || settings.classActions[classification.class] === 'emit';
		ctx.emit(asMail ? [[item], [], []] : [[], [item], []]);
	} finally {
		await source.close();
	}
}
