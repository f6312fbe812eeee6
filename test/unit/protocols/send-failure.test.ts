/**
 * #14.2: permanent vs temporary send failures, on the errors our SMTP and Graph mappings really
 * produce (smtpError over nodemailer's error shapes, graphHttpError over Graph error bodies).
 */
import { MailCasesError } from '../../../lib/errors';
import type { ExchangeProfile } from '../../../lib/protocols/graph/exchange-profile';
import { graphHttpError } from '../../../lib/protocols/graph/graph-errors';
import { classifySendFailure } from '../../../lib/protocols/send-failure';
import { smtpError } from '../../../lib/protocols/smtp/smtp-errors';
import type { SmtpProfile } from '../../../lib/protocols/smtp/smtp-profile';

const smtp: SmtpProfile = {
	host: 'mail.example.test',
	protocol: 'smtp',
	port: 587,
	user: 'desk',
	password: 'Geheim-1',
	fromAddress: 'desk@example.test',
};

/** nodemailer's error when every recipient was refused at RCPT TO (one reply per recipient). */
function allRecipientsRefused(...replies: Array<[string, string]>) {
	const rejectedErrors = replies.map(([recipient, response]) =>
		Object.assign(new Error(`Recipient command failed: ${response}`), {
			code: 'EENVELOPE',
			command: 'RCPT TO',
			response,
			responseCode: Number(response.slice(0, 3)),
			recipient,
		}),
	);
	// nodemailer reports a deferred (4xx) reply when there is one, else the last
	const shown =
		rejectedErrors.find((e) => e.responseCode < 500) ?? rejectedErrors[rejectedErrors.length - 1];
	return Object.assign(
		new Error(`Can't send mail - all recipients were rejected: ${shown.response}`),
		{
			code: 'EENVELOPE',
			command: 'RCPT TO',
			response: shown.response,
			responseCode: shown.responseCode,
			rejected: replies.map(([r]) => r),
			rejectedErrors,
		},
	);
}

const rcpt = (code: number, text = 'Recipient address rejected') =>
	smtpError(
		allRecipientsRefused(['kunde@example.test', `${code} 5.1.1 <kunde@example.test>: ${text}`]),
		smtp,
	);

describe('#14.2 SMTP', () => {
	test.each([550, 552, 553, 554])(
		'RCPT TO %i for every recipient: permanent, with the reply and by whom',
		(code) => {
			const failure = classifySendFailure(rcpt(code));
			expect(failure).toEqual({
				permanent: true,
				by: 'SMTP server mail.example.test:587',
				reply: `${code} 5.1.1 <kunde@example.test>: Recipient address rejected`,
				recipients: ['kunde@example.test'],
				refused: 'recipient',
			});
		},
	);

	test.each([421, 450, 451, 452])('RCPT TO %i: temporary', (code) => {
		expect(classifySendFailure(rcpt(code))).toEqual({ permanent: false });
	});

	test('two recipients, one refused for good and one only for now: temporary (a retry may reach it)', () => {
		const error = smtpError(
			allRecipientsRefused(
				['a@example.test', '550 5.1.1 <a@example.test>: User unknown'],
				['b@example.test', '451 4.3.0 <b@example.test>: Try again later'],
			),
			smtp,
		);
		expect(classifySendFailure(error)).toEqual({ permanent: false });
	});

	test('two recipients, both refused for good: permanent, both named', () => {
		const error = smtpError(
			allRecipientsRefused(
				['a@example.test', '550 5.1.1 <a@example.test>: User unknown'],
				['b@example.test', '553 5.1.3 <b@example.test>: bad address syntax'],
			),
			smtp,
		);
		expect(classifySendFailure(error)).toMatchObject({
			permanent: true,
			recipients: ['a@example.test', 'b@example.test'],
		});
	});

	test('the message refused at the end of data (554, 552): permanent, the message', () => {
		for (const response of [
			'554 5.7.1 Message rejected as spam',
			'552 5.3.4 Message size exceeds fixed limit',
		]) {
			const error = smtpError(
				{ code: 'EMESSAGE', command: 'DATA', responseCode: Number(response.slice(0, 3)), response },
				smtp,
			);
			expect(classifySendFailure(error)).toEqual({
				permanent: true,
				by: 'SMTP server mail.example.test:587',
				reply: response,
				recipients: [],
				refused: 'message',
			});
		}
	});

	test('the message deferred at the end of data (451): temporary', () => {
		const error = smtpError(
			{
				code: 'EMESSAGE',
				command: 'DATA',
				responseCode: 451,
				response: '451 4.3.0 Error: queue file write error',
			},
			smtp,
		);
		expect(classifySendFailure(error)).toEqual({ permanent: false });
	});

	test('the sender refused (MAIL FROM 550): temporary — a setting of the profile, not this mail', () => {
		const error = smtpError(
			{
				code: 'EENVELOPE',
				command: 'MAIL FROM',
				responseCode: 550,
				response: '550 5.7.1 Sender not owned by user',
			},
			smtp,
		);
		expect(error.code).toBe('SENDER_REJECTED');
		expect(classifySendFailure(error)).toEqual({ permanent: false });
	});

	test('authentication, connection errors and timeouts: temporary', () => {
		const errors = [
			smtpError(
				{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed' },
				smtp,
			),
			smtpError(
				Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:587'), { code: 'ECONNECTION' }),
				smtp,
			),
			smtpError(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }), smtp),
			smtpError(
				Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }),
				smtp,
			),
			new MailCasesError('CONNECTION_REFUSED', 'refused'),
			new Error('anything else'),
			undefined,
		];
		for (const error of errors) expect(classifySendFailure(error)).toEqual({ permanent: false });
	});

	test('a password echoed in a 550 reply is withheld in the reply we keep', () => {
		const error = smtpError(
			allRecipientsRefused(['k@example.test', '550 5.1.1 unknown, you said Geheim-1']),
			smtp,
		);
		const failure = classifySendFailure(error);
		expect(failure.permanent).toBe(true);
		expect(JSON.stringify(failure)).not.toContain('Geheim-1');
	});
});

describe('#14.2 Microsoft Graph', () => {
	const profile: ExchangeProfile = {
		tenantId: 'tenant',
		clientId: 'app-1',
		auth: { type: 'secret', clientSecret: 'Secret-9' },
		mailbox: 'desk@contoso.test',
	};
	const response = (status: number, code?: string, message = 'A message') => ({
		status,
		headers: {},
		body: Buffer.from(code ? JSON.stringify({ error: { code, message } }) : ''),
	});
	const graph = (status: number, code?: string, message?: string) =>
		graphHttpError(response(status, code, message), profile, {
			what: 'sending a mail',
			permission: 'Mail.Send',
		});

	test('400 ErrorInvalidRecipients: permanent, refused by Microsoft Graph for the address', () => {
		const failure = classifySendFailure(
			graph(400, 'ErrorInvalidRecipients', "At least one recipient isn't valid."),
		);
		expect(failure).toMatchObject({
			permanent: true,
			by: 'Microsoft Graph (mailbox desk@contoso.test)',
			refused: 'recipient',
		});
		expect(failure.permanent && failure.reply).toContain(
			"ErrorInvalidRecipients: At least one recipient isn't valid.",
		);
	});

	test('413 / ErrorMessageSizeExceeded: permanent, the message', () => {
		expect(classifySendFailure(graph(413, 'ErrorMessageSizeExceeded'))).toMatchObject({
			permanent: true,
			refused: 'message',
		});
	});

	test.each([
		[429, 'ApplicationThrottled'],
		[503, 'ServiceUnavailable'],
		[500, 'InternalServerError'],
		[400, 'ErrorInvalidRequest'],
		[401, 'InvalidAuthenticationToken'],
		[403, 'ErrorAccessDenied'],
	])('%i %s: temporary', (status, code) => {
		expect(classifySendFailure(graph(status, code))).toEqual({ permanent: false });
	});
});
