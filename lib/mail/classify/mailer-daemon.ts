import { localPart } from '../address';
import type { MailFilter } from './context';

const DAEMON_LOCAL_PARTS = new Set([
	'mailer-daemon',
	'mailer_daemon',
	'mailerdaemon',
	'mail-daemon',
	'maildaemon',
	'postmaster',
	'post_master',
]);
const DAEMON_NAMES =
	/^(mail delivery (sub)?system|mailer[- ]daemon|e-?mail delivery system|postmaster)$/i;

/** Sender is a mail system (MAILER-DAEMON, postmaster, "Mail Delivery System") → bounce. */
export const mailerDaemon: MailFilter = (ctx) => {
	const { from } = ctx.message;
	// a delivery report was read: it says whether delivery failed (success notices come from
	// MAILER-DAEMON too); a feedback report is a report, whoever sent it
	if (!from || ctx.report || ctx.feedback) return;
	if (DAEMON_LOCAL_PARTS.has(localPart(from.address))) {
		ctx.hit('bounce', `sender ${from.address} is a mail system`);
	} else if (DAEMON_NAMES.test(from.name.trim())) {
		ctx.hit('bounce', `sender name "${from.name}" is a mail system`);
	}
};
