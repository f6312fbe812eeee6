/**
 * Issue #11.8: a server reply that contains a secret is dropped from error messages, never masked
 * inside (masking a short password reveals it: the user sees which letters were starred). One
 * function (lib/secret-echo.ts) serves SMTP, IMAP, POP3, Microsoft Graph / Entra ID and the store.
 */
import { echoesSecret, serverTextShown, WITHHELD_SERVER_TEXT } from '../../lib/secret-echo';
import {
	exchangeEndpoints,
	type ExchangeProfile,
} from '../../lib/protocols/graph/exchange-profile';
import { graphHttpError, graphNetworkError } from '../../lib/protocols/graph/graph-errors';
import { tokenError } from '../../lib/protocols/graph/token-errors';
import { imapError } from '../../lib/protocols/imap/imap-errors';
import type { MailboxProfile } from '../../lib/protocols/mailbox-profile';
import { pop3Error, Pop3ServerError } from '../../lib/protocols/pop3/pop3-errors';
import { smtpError } from '../../lib/protocols/smtp/smtp-errors';
import { toStoreError } from '../../lib/store/sql-errors';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('#11.8 echoesSecret: the secret in any form a server could echo', () => {
	test.each(['a', 'pw', 'abc', 'pass'])('short secret %j inside other words is found', (secret) => {
		expect(
			echoesSecret('535 5.7.8 authentication failed: bad password for upwd-user (abcd)', [secret]),
		).toBe(true);
	});

	test('a reply without the secret is kept as it is', () => {
		const reply = '550 5.1.1 <nobody@example.test>: Recipient address rejected';
		expect(echoesSecret(reply, ['Very-Secret-Pw-42'])).toBe(false);
		expect(serverTextShown(reply, ['Very-Secret-Pw-42'])).toBe(reply);
	});

	test('empty and missing secrets never match (not even the empty text)', () => {
		expect(echoesSecret('any reply', ['', undefined])).toBe(false);
		expect(echoesSecret('', ['x'])).toBe(false);
		expect(serverTextShown('any reply', [''])).toBe('any reply');
	});

	test.each([
		['a.c', 'abc', false],
		['a.c', 'value a.c rejected', true],
		['(.*)+', 'everything', false],
		['(.*)+', 'got (.*)+ here', true],
		['$&\\d[', 'x $&\\d[ y', true],
		['$&\\d[', 'x $& y', false],
		['^pw$', 'pw', false],
	])('regex characters in the secret %j are literal (%j → %s)', (secret, text, found) => {
		expect(echoesSecret(text, [secret])).toBe(found);
	});

	test('AUTH PLAIN echoed as base64 (with a 1-, 2-, 3- and 4-byte password, any alignment)', () => {
		for (const secret of ['a', 'pw', 'abc', 'pass', 'Grüße!']) {
			for (const user of ['alice', 'bob', 'al']) {
				const plain = b64(`\0${user}\0${secret}`);
				expect(echoesSecret(`501 5.5.2 cannot decode ${plain}`, [secret])).toBe(true);
				// glued to other text, without padding, base64url
				expect(echoesSecret(`PLAIN${plain.replace(/=+$/, '')}`, [secret])).toBe(true);
				expect(echoesSecret(plain.replace(/\+/g, '-').replace(/\//g, '_'), [secret])).toBe(true);
			}
		}
	});

	test('AUTH LOGIN echoed as base64 of the password alone', () => {
		expect(echoesSecret(`334 ${b64('hunter2')} ?`, ['hunter2'])).toBe(true);
		expect(echoesSecret(`334 ${b64('hunter3')} ?`, ['hunter2'])).toBe(false);
	});

	test('URL- and form-encoded (a client_secret in a request body echoed by a proxy)', () => {
		const secret = 'p@ss w+rd/ü~';
		expect(echoesSecret(`bad request: client_secret=${encodeURIComponent(secret)}`, [secret])).toBe(
			true,
		);
		const form = new URLSearchParams({ client_secret: secret }).toString();
		expect(echoesSecret(`bad request: ${form}`, [secret])).toBe(true);
		expect(echoesSecret('bad request: client_secret=p%40ss%20w', [secret])).toBe(false);
	});

	test('quoted-string and JSON escapes (IMAP LOGIN "pa\\"ss", a JSON body)', () => {
		const secret = 'pa"ss\\x';
		expect(echoesSecret('BAD LOGIN "alice" "pa\\"ss\\\\x"', [secret])).toBe(true);
		expect(echoesSecret(JSON.stringify({ echo: secret }), [secret])).toBe(true);
	});

	test('several secrets: any of them withholds the reply', () => {
		expect(echoesSecret('key ABC', ['zzz', 'ABC'])).toBe(true);
	});

	test('the withheld reply is one neutral sentence: nothing of the reply, no stars', () => {
		const shown = serverTextShown('535 authentication failed for pass', ['pass']);
		expect(shown).toBe(WITHHELD_SERVER_TEXT);
		expect(shown).not.toContain('*');
	});
});

describe('#11.8 every protocol drops a reply with the password instead of masking it', () => {
	const mailbox: MailboxProfile = {
		protocol: 'imap',
		host: 'mail.example.test',
		tls: 'implicit',
		user: 'alice',
		password: 'a',
		folder: 'INBOX',
	};
	// With the old masking, "a" was starred in every word ("m***il.ex***mple.test").
	const intact = (message: string) => {
		expect(message).toContain('mail.example.test');
		expect(message).not.toContain('*');
	};

	test('SMTP: a rejected message whose reply contains the password', () => {
		const error = smtpError(
			{ code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Message rejected as spam' },
			{
				host: 'mail.example.test',
				protocol: 'smtp',
				user: 'alice',
				password: 'a',
				fromAddress: 'desk@example.test',
			},
		);
		expect(error.message).toBe(
			`SMTP server mail.example.test:587 rejected the message (554): ${WITHHELD_SERVER_TEXT}`,
		);
		intact(error.message);
	});

	test('SMTP: an AUTH PLAIN string echoed in base64 is withheld; a reply without it is shown', () => {
		const profile = {
			host: 'mail.example.test',
			protocol: 'smtp' as const,
			user: 'alice',
			password: 'Pw-9',
			fromAddress: 'd@example.test',
		};
		const echoed = smtpError(
			{ code: 'EPROTOCOL', response: `501 5.5.2 bad ${b64('\0alice\0Pw-9')}` },
			profile,
		);
		expect(echoed.message).toBe(
			`SMTP error at SMTP server mail.example.test:587: ${WITHHELD_SERVER_TEXT}`,
		);
		const plain = smtpError(
			{ code: 'EPROTOCOL', response: '502 5.5.1 command not implemented' },
			profile,
		);
		expect(plain.message).toBe(
			'SMTP error at SMTP server mail.example.test:587: 502 5.5.1 command not implemented',
		);
	});

	test('IMAP: a BAD reply that repeats the LOGIN command', () => {
		const error = imapError({ responseText: 'Error in IMAP command LOGIN: "alice" "a"' }, mailbox);
		expect(error.message).toBe(
			`IMAP error at IMAPS server mail.example.test:993: ${WITHHELD_SERVER_TEXT}`,
		);
		intact(error.message);
	});

	test('POP3: -ERR to PASS', () => {
		const error = pop3Error(new Pop3ServerError('PASS', '[AUTH] Authentication failed.'), {
			...mailbox,
			protocol: 'pop3',
		});
		expect(error.message).toBe(
			`Authentication failed at POP3S server mail.example.test:995 for user "alice": ${WITHHELD_SERVER_TEXT}.`,
		);
		intact(error.message);
		const kept = pop3Error(new Pop3ServerError('PASS', '[AUTH] Authentication failed.'), {
			...mailbox,
			protocol: 'pop3',
			password: 'Very-Secret-Pw-42',
		});
		expect(kept.message).toContain('[AUTH] Authentication failed.');
	});

	const exchange: ExchangeProfile = {
		tenantId: 'contoso.onmicrosoft.com',
		clientId: '11111111-2222-3333-4444-555555555555',
		auth: { type: 'secret', clientSecret: 'x~9' },
		mailbox: 'service@contoso.com',
	};

	test('Graph: an error message echoing the form-encoded client secret', () => {
		const body = { error: { code: 'BadRequest', message: 'Invalid body: client_secret=x%7E9' } };
		const error = graphHttpError(
			{ status: 400, headers: {}, body: Buffer.from(JSON.stringify(body)) },
			exchange,
			{ what: 'listing mails' },
		);
		expect(error.message).toBe(
			`Microsoft Graph refused the request while listing mails (HTTP 400, BadRequest: ${WITHHELD_SERVER_TEXT}).`,
		);
	});

	test('Graph: a transport error text with the secret', () => {
		const error = graphNetworkError(
			new Error('proxy said: x~9'),
			'https://graph.microsoft.com/v1.0/me',
			exchange,
			{
				what: 'sending',
			},
		);
		expect(error.message).toBe(
			`Request to Microsoft Graph at graph.microsoft.com failed while sending: ${WITHHELD_SERVER_TEXT}`,
		);
	});

	test('Entra ID: a token error description with the secret', () => {
		const error = tokenError(
			{ errorCode: 'invalid_request', errorMessage: 'bad secret x~9' },
			exchange,
			exchangeEndpoints(exchange),
		);
		expect(error.message).toContain(`(invalid_request): ${WITHHELD_SERVER_TEXT}. Check tenant`);
	});

	test('store: a driver message with the store password', () => {
		const where = 'PostgreSQL store cases@db.example.test:5432/n8n (schema mail_cases)';
		const error = toStoreError(new Error('syntax error at or near "pw"'), where, 'read a case', [
			'pw',
		]);
		expect(error.message).toBe(`${where}: could not read a case: ${WITHHELD_SERVER_TEXT}`);
		expect(toStoreError(new Error('division by zero'), where, 'read a case', ['pw']).message).toBe(
			`${where}: could not read a case: division by zero`,
		);
	});
});
