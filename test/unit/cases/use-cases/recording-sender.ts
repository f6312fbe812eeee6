/**
 * A MailSender that sends nothing: it keeps every message it is given (and can be told to fail),
 * so the sending use cases are tested without a mail server.
 */
import { MailCasesError } from '../../../../lib/errors';
import type { OutgoingMessage } from '../../../../lib/mail/outgoing-message';
import type { MailSender, SentMail } from '../../../../lib/protocols/mail-sender';
import { smtpError } from '../../../../lib/protocols/smtp/smtp-errors';

export interface RecordingSender extends MailSender {
	sent: OutgoingMessage[];
	/** The next send fails with this error (once). */
	failNext?: MailCasesError;
}

export function recordingSender(
	from = 'system@firma.example',
	options: { kind?: 'smtp' | 'exchange'; isDefault?: boolean } = {},
): RecordingSender {
	const sender: RecordingSender = {
		kind: options.kind ?? 'smtp',
		from: { address: from, name: 'Mail Cases' },
		isDefault: options.isDefault ?? true,
		sent: [],
		async send(message: OutgoingMessage): Promise<SentMail> {
			const failure = sender.failNext;
			if (failure) {
				sender.failNext = undefined;
				throw failure;
			}
			sender.sent.push(message);
			const accepted = [...message.to, ...message.cc, ...message.bcc].map((a) => a.address);
			return { messageId: message.messageId, accepted, rejected: [], response: '250 recorded' };
		},
		close() {},
	};
	return sender;
}

export const refused = () =>
	new MailCasesError('CONNECTION_REFUSED', 'Connection refused by the test');

/** #14.2: what SmtpSender throws when the server refuses every recipient at RCPT TO. */
export function rcptRefused(code: number, text: string, recipients = ['kunde@kunde.example']) {
	const response = `${code} ${text}`;
	return smtpError(
		{
			code: 'EENVELOPE',
			command: 'RCPT TO',
			responseCode: code,
			response,
			rejected: recipients,
			rejectedErrors: recipients.map(() => ({ responseCode: code, response })),
		},
		{ host: 'mail.firma.example', protocol: 'smtp', port: 25, fromAddress: 'system@firma.example' },
	);
}
