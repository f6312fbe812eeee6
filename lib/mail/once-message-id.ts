/**
 * R-PLUS-2: deterministic Message-IDs for mails that must go out once per (case, key). The same
 * installation, case, key and sender domain always give the same id, so
 * `cases.isOutgoingMessageId` tells whether the mail was sent (and recorded) already, and a mail
 * sent again after a crash between sending and recording carries the same id (recognisable as a
 * duplicate by the recipient's mail client and by us).
 *
 * `<mail-cases.<scope>.<32 hex>@<domain of the sender address>>`. Notify Responsible keeps its own
 * `notificationMessageId` (lib/cases/compose-notification.ts), whose ids must not change.
 */
import { createHash } from 'node:crypto';
import { MailCasesError } from '../errors';
import { messageIdDomain } from './outgoing-message';

export interface OnceMessageIdInput {
	/** The n8n instance id (`getInstanceId()`), so two installations never share ids. */
	systemId: string;
	/** What kind of mail this is, e.g. `send` (Send Mail's "Send Once Per"). Letters, digits, `-`. */
	scope: string;
	caseId: number | string;
	/** The caller's key, e.g. the incoming mail's Message-ID; trimmed, otherwise taken as is. */
	key: string;
	/** The sender address; its domain becomes the id's domain. */
	fromAddress: string;
}

export function onceMessageId(input: OnceMessageIdInput): string {
	if (!/^[A-Za-z0-9-]+$/.test(input.scope)) {
		throw new MailCasesError('INVALID_INPUT', `Invalid Message-ID scope "${input.scope}"`);
	}
	const key = input.key.trim();
	if (!key) throw new MailCasesError('INVALID_INPUT', 'The key of a send-once Message-ID is empty');
	// JSON keeps the parts apart whatever characters the key holds.
	const hash = createHash('sha256')
		.update(
			JSON.stringify(['mail-cases once', input.scope, input.systemId, String(input.caseId), key]),
		)
		.digest('hex')
		.slice(0, 32);
	return `<mail-cases.${input.scope}.${hash}@${messageIdDomain(input.fromAddress)}>`;
}
