import type { MailFilter } from './context';

/** The Message-ID of the mail a notification is about, from its `mail` object. */
function originalId(text: string): string | undefined {
	return (
		/"name"\s*:\s*"Message-ID"\s*,\s*"value"\s*:\s*"(<[^"<>\s]+>)"/i.exec(text)?.[1] ??
		/"messageId"\s*:\s*"(<[^"<>\s]+>)"/.exec(text)?.[1]
	);
}

/**
 * Amazon SNS e-mail notifications (`x-amz-sns-message-id`), e.g. Amazon SES bounce and
 * delivery feedback sent as JSON. Machine-generated: a `"notificationType":"Bounce"` JSON
 * body → bounce, `"Complaint"` → report, anything else → autoReply.
 */
export const amazonNotification: MailFilter = (ctx) => {
	if (ctx.header('x-amz-sns-message-id') === undefined) return;
	// notifications relayed through SNS carry the SES JSON as an escaped string
	const text = (ctx.message.text ?? '').replace(/\\"/g, '"');
	const type = /"notificationType"\s*:\s*"(\w+)"/.exec(text)?.[1];
	if (type === 'Bounce') {
		ctx.hit('bounce', 'Amazon SES bounce notification (JSON)');
		const status = /"status"\s*:\s*"([245]\.\d{1,3}\.\d{1,3})"/.exec(text)?.[1];
		const recipient = /"emailAddress"\s*:\s*"([^"]+)"/.exec(text)?.[1];
		const action = /"action"\s*:\s*"(\w+)"/.exec(text)?.[1];
		const diagnostic = /"diagnosticCode"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
		const permanent = /"bounceType"\s*:\s*"(\w+)"/.exec(text)?.[1];
		ctx.bounce = {
			...(status ? { status } : {}),
			...(action ? { action: action.toLowerCase() } : {}),
			...(recipient ? { recipient } : {}),
			...(diagnostic ? { diagnostic } : {}),
			...(permanent ? { permanent: permanent === 'Permanent' } : {}),
		};
		const original = originalId(text);
		if (original) ctx.bouncedMessageId = original;
	} else if (type === 'Complaint') {
		// a recipient marked our mail as spam: the JSON form of an abuse report
		ctx.hit('report', 'Amazon SES complaint notification (JSON)');
		const feedbackType = /"complaintFeedbackType"\s*:\s*"([\w-]+)"/.exec(text)?.[1];
		const recipient = /"emailAddress"\s*:\s*"([^"]+)"/.exec(text)?.[1];
		ctx.feedback = {
			...(feedbackType ? { feedbackType: feedbackType.toLowerCase() } : {}),
			...(recipient ? { recipient } : {}),
		};
		const original = originalId(text);
		if (original) ctx.bouncedMessageId = original;
	} else {
		ctx.hit('autoReply', `Amazon SNS notification${type ? ` (${type})` : ''}`);
	}
};
