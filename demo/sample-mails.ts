/**
 * The three sample mails, sent through the local Postfix on its port-25 relay the way mail from
 * outside arrives: a new request in German, the customer's reply with `Field = Value` lines, and
 * an out-of-office auto-reply.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';

import { smtpOptions, type ListedMessage } from '../test/support/mail-stack';
import { addressOf, DEMO_USERS, REPLY_FIELDS } from './demo-data';

const customer = { name: 'Erika Mustermann', address: addressOf(DEMO_USERS.customer) };
const inbox = addressOf(DEMO_USERS.inbox);

export const NEW_REQUEST_SUBJECT = 'Frage zu meiner Rechnung – Rückruf erwünscht';

/** Sends one mail through Postfix; returns its Message-ID. */
export async function sendThroughPostfix(mail: SendMailOptions): Promise<string> {
	const transport = nodemailer.createTransport(smtpOptions('smtp'));
	try {
		const info = await transport.sendMail(mail);
		if (info.rejected.length) throw new Error(`Postfix rejected ${info.rejected.join(', ')}`);
		return info.messageId;
	} finally {
		transport.close();
	}
}

export function newRequest(): SendMailOptions {
	return {
		from: customer,
		to: inbox,
		subject: NEW_REQUEST_SUBJECT,
		text: [
			'Guten Tag,',
			'',
			'auf meiner letzten Rechnung finde ich eine Gebühr für „Zusatzleistungen“, die ich nicht',
			'bestellt habe. Könnten Sie das bitte prüfen und mich zurückrufen?',
			'',
			'Mit freundlichen Grüßen',
			'Erika Mustermann',
			'Mustermann & Söhne GmbH, Köln',
		].join('\n'),
	};
}

/** The customer answers the acknowledgement and adds the details asked for. */
export function reply(acknowledgement: ListedMessage): SendMailOptions {
	const fieldLines = Object.entries(REPLY_FIELDS).map(([name, value]) => `${name} = ${value}`);
	const quoted = acknowledgement.text
		.trim()
		.split('\n')
		.map((line) => `> ${line}`);
	return {
		from: customer,
		to: inbox,
		subject: `Re: ${acknowledgement.subject}`,
		inReplyTo: acknowledgement.messageId,
		references: acknowledgement.messageId ? [acknowledgement.messageId] : undefined,
		text: [
			'Hallo,',
			'',
			'hier die gewünschten Angaben:',
			'',
			...fieldLines,
			'',
			'Viele Grüße',
			'Erika Mustermann',
			'',
			...quoted,
		].join('\n'),
	};
}

export function outOfOffice(): SendMailOptions {
	return {
		from: { name: 'Jonas Schmidt', address: addressOf(DEMO_USERS.absent) },
		to: inbox,
		subject: 'Abwesenheitsnotiz: Ihre Nachricht',
		headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
		text: 'Ich bin bis einschließlich 15. Juni nicht im Büro und lese meine E-Mails nicht.\nIn dringenden Fällen wenden Sie sich bitte an die Zentrale.',
	};
}
