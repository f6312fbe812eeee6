import { buildOutgoingMessage } from '../../mail/outgoing-message';
import { describeSmtp, type SmtpProfile } from './smtp-profile';
import { SmtpSender } from './smtp-transport';

export interface SmtpTestResult {
	ok: true;
	message: string;
	testMail?: { recipient: string; messageId: string };
}

/**
 * R-OUT-7 "Test settings": connects and authenticates; when a test recipient is given, sends a
 * test mail and says so. Throws MailCasesError with a message that says what is wrong.
 */
export async function testSmtpProfile(
	profile: SmtpProfile,
	recipient = profile.testRecipient,
): Promise<SmtpTestResult> {
	const sender = new SmtpSender(profile);
	try {
		await sender.verify();
		if (!recipient?.trim()) {
			return {
				ok: true,
				message: `Connected to ${describeSmtp(profile)}. Enter a test recipient to also send a test mail.`,
			};
		}
		const message = buildOutgoingMessage({
			from: { address: profile.fromAddress, name: profile.fromName },
			to: recipient,
			subject: 'Test mail from n8n Mail Cases',
			text:
				`This is a test mail sent with the SMTP profile ${describeSmtp(profile)}.\n` +
				`If you can read it, the outgoing mail settings are correct.\n`,
			headers: { 'Auto-Submitted': 'auto-generated' },
		});
		const result = await sender.send(message);
		return {
			ok: true,
			message: `Connected to ${describeSmtp(profile)}; test mail sent to ${recipient.trim()} (Message-ID ${result.messageId}).`,
			testMail: { recipient: recipient.trim(), messageId: result.messageId },
		};
	} finally {
		sender.close();
	}
}
