import type { IExecuteFunctions } from 'n8n-workflow';
import type { MailSender } from '../../lib/protocols/mail-sender';
import type { Store } from '../../lib/store';
import { warnIfNotDefaultProfile } from './default-profile';
import type { Resource } from './run-per-item';
import { senderFor } from './sender';
import { storeFor } from './store';

/** The node's case store (cached per process, so never closed by an execution). */
export function storeResource(ctx: IExecuteFunctions): Resource<Store> {
	return { open: () => storeFor(ctx) };
}

/**
 * The node's sender (one SMTP pool or one Graph client for the execution), closed after the
 * last item. `systemMail`: warn when the profile is not the default for system mails.
 */
export function senderResource(
	ctx: IExecuteFunctions,
	options: { systemMail?: boolean } = {},
): Resource<MailSender> {
	return {
		open: async () => {
			const sender = await senderFor(ctx);
			if (options.systemMail) warnIfNotDefaultProfile(ctx, sender);
			return sender;
		},
		close: (sender) => sender.close(),
	};
}
