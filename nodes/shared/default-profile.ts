import type { IExecuteFunctions } from 'n8n-workflow';
import type { MailSender } from '../../lib/protocols/mail-sender';

/**
 * R-OUT-6: system mails (notifications, forwards) are meant to go out through the profile
 * marked "Default Profile for System Mails". n8n has no global default credential — every node
 * names its own — so nodes that send system mail report the flag (`profileIsDefault`) and warn
 * in the output pane when the chosen profile is not marked. Used by Notify Responsible and
 * Forward.
 */
export function warnIfNotDefaultProfile(ctx: IExecuteFunctions, sender: MailSender): void {
	if (sender.isDefault) return;
	const profile = sender.kind === 'exchange' ? 'Exchange profile' : 'SMTP profile';
	ctx.addExecutionHints({
		message: `The ${profile} (${sender.from.address}) is not marked "Default Profile for System Mails". Automatic mails should go out through the default profile: choose that profile here, or mark this one as the default.`,
		type: 'warning',
		location: 'outputPane',
	});
}
