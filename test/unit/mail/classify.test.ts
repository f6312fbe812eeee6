import { MailCasesError } from '../../../lib/errors';
import {
	CLASS_PRIORITY,
	DEFAULT_IGNORE_SUBJECT_KEYWORDS,
	FILTERS,
	autoReplySubjectForm,
	caseReferenceIn,
	classifyMessage,
	isOwnMessageId,
	subjectHasKeyword,
} from '../../../lib/mail/classify';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import type { ClassifyOptions } from '../../../lib/mail/types';
import { eml, simpleMail } from './mail-builder';

async function classify(raw: Buffer, options?: ClassifyOptions) {
	return classifyMessage(await parseMessage(raw), options);
}

/** A plain mail with extra header lines, classified. */
const withHeaders = (lines: string[], options?: ClassifyOptions) =>
	classify(simpleMail(lines), options);

/** A mail with the given subject (raw header value). */
const withSubject = (subject: string, options?: ClassifyOptions) =>
	classify(
		eml(
			`From: Erika <erika@example.org>\nTo: support@example.com\nSubject: ${subject}\nMessage-ID: <s@example.org>\n\nHallo\n`,
		),
		options,
	);

function dsn(options: {
	reportType?: string;
	from?: string;
	statusBlocks: string[];
	original?: 'rfc822' | 'headers' | 'none';
	extraHeaders?: string[];
	outerType?: string;
}): Buffer {
	const original =
		options.original === 'none'
			? []
			: options.original === 'headers'
				? [
						'--R',
						'Content-Type: text/rfc822-headers',
						'',
						'From: agent@example.com',
						'Subject: Re: [Case 2026-000042]',
						'Message-ID: <sent.42@cases.example.com>',
						'',
					]
				: [
						'--R',
						'Content-Type: message/rfc822',
						'Content-Description: Undelivered Message',
						'',
						'From: agent@example.com',
						'To: nobody@example.net',
						'Subject: Re: [Case 2026-000042]',
						'Message-ID: <sent.42@cases.example.com>',
						'',
						'Your case was updated.',
						'',
					];
	return eml(
		[
			'Return-Path: <>',
			`From: ${options.from ?? 'MAILER-DAEMON@mx.example.net (Mail Delivery System)'}`,
			'To: agent@example.com',
			'Subject: Undelivered Mail Returned to Sender',
			'Message-ID: <dsn.1@mx.example.net>',
			...(options.extraHeaders ?? []),
			'MIME-Version: 1.0',
			options.outerType ??
				`Content-Type: multipart/report; report-type=${options.reportType ?? 'delivery-status'}; boundary="R"`,
			'',
			'--R',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'This is the mail system at host mx.example.net.',
			"I'm sorry to have to inform you that your message could not be delivered.",
			'',
			'--R',
			'Content-Type: message/delivery-status',
			'',
			'Reporting-MTA: dns; mx.example.net',
			'Arrival-Date: Tue, 03 Mar 2026 10:15:00 +0100',
			'',
			options.statusBlocks.join('\n\n'),
			'',
			...original,
			'--R--',
			'',
		].join('\n'),
	);
}

const FAILED_5_1_1 = [
	'Final-Recipient: rfc822; nobody@example.net',
	'Original-Recipient: rfc822;nobody@example.net',
	'Action: failed',
	'Status: 5.1.1',
	'Remote-MTA: dns; mx.example.net',
	'Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address',
	'    rejected: User unknown',
].join('\n');

describe('classifyMessage: normal mail', () => {
	it('a plain mail from a person is normal, with no reasons', async () => {
		await expect(classify(simpleMail())).resolves.toEqual({ class: 'normal', reasons: [] });
	});

	it('R-PLUS-3: `Auto-Submitted: no` says a person sent it → stays normal', async () => {
		expect((await withHeaders(['Auto-Submitted: no'])).class).toBe('normal');
		expect((await withHeaders(['AUTO-SUBMITTED:  No (sent by hand)'])).class).toBe('normal');
	});

	it('a person forwarding a bounce ("Fwd: Undelivered Mail ...") is normal', async () => {
		const result = await withSubject('Fwd: Undelivered Mail Returned to Sender');
		expect(result.class).toBe('normal');
	});
});

describe('forwarded bounces are mail from a person', () => {
	it('a bounce forwarded as attachment ("WG: Unzustellbar: ...") is normal', async () => {
		const raw = eml(
			[
				'From: Erika <erika@example.org>',
				'To: support@example.com',
				'Subject: WG: Unzustellbar: Ihre Bestellung',
				'Content-Type: multipart/mixed; boundary="W"',
				'',
				'--W',
				'Content-Type: text/plain; charset=utf-8',
				'',
				'Meine Mail an Sie kam zurück, bitte prüfen.',
				'--W',
				'Content-Type: message/rfc822',
				'',
				'From: postmaster@example.net',
				'Subject: Unzustellbar: Ihre Bestellung',
				'Message-ID: <ndr.1@example.net>',
				'',
				'Die Nachricht konnte nicht zugestellt werden.',
				'--W--',
				'',
			].join('\n'),
		);
		await expect(classify(raw)).resolves.toEqual({ class: 'normal', reasons: [] });
	});
});

describe('R-PLUS-3: RFC 3834 Auto-Submitted', () => {
	it.each([
		'auto-replied',
		'auto-generated',
		'auto-notified',
		'auto-replied (zimbra; vacation)',
		'auto-replied; owner-email="me@example.com"',
		'Auto-Generated',
	])('Auto-Submitted: %s → autoReply', async (value) => {
		const result = await withHeaders([`Auto-Submitted: ${value}`]);
		expect(result.class).toBe('autoReply');
		expect(result.reasons).toEqual([`Auto-Submitted: ${value}`]);
	});
});

describe('R-PLUS-3: X-Auto-Response-Suppress (Exchange)', () => {
	it.each(['All', 'OOF', 'AutoReply', 'DR, OOF, AutoReply', 'all'])(
		'X-Auto-Response-Suppress: %s → autoReply',
		async (value) => {
			expect((await withHeaders([`X-Auto-Response-Suppress: ${value}`])).class).toBe('autoReply');
		},
	);

	it('only receipt suppression (DR, RN, NRN) is not an auto-reply', async () => {
		expect((await withHeaders(['X-Auto-Response-Suppress: DR, RN, NRN'])).class).toBe('normal');
	});
});

describe('R-PLUS-3: Precedence', () => {
	it.each([
		['Precedence: bulk', 'autoReply'],
		['Precedence: junk', 'autoReply'],
		['Precedence: auto_reply', 'autoReply'],
		['Precedence: list', 'list'],
		['X-Precedence: auto_reply', 'autoReply'],
		['Precedence: first-class', 'normal'],
	])('%s → %s', async (header, expected) => {
		expect((await withHeaders([header])).class).toBe(expected);
	});
});

describe('R-PLUS-3: vendor auto-reply headers', () => {
	it.each([
		'X-Autoreply: yes',
		'X-Autorespond: Vacation',
		'X-Autoresponse: 1',
		'X-Autoreply-From: erika@example.org',
		'X-Mail-Autoreply: Urlaub',
		'X-Autogenerated: Reply',
		'X-FC-MachineGenerated: true',
		'Delivered-To: Autoresponder',
		// issue #13: Mailtraq, OpenSRS, Exim's list, Kopano / Zarafa, cPanel BoxTrapper
		'X-POST-MessageClass: 9; Autoresponder',
		'X-Autoresponder: Will not send another autoreply for 86400 seconds',
		'Autorespond: yes',
		'X-Kopano-Vacation: autorespond',
		'X-Zarafa-Vacation: autorespond',
		'Preference: auto_reply',
	])('%s → autoReply', async (header) => {
		const result = await withHeaders([header]);
		expect(result.class).toBe('autoReply');
		expect(result.reasons).toEqual([header]);
	});

	it.each([
		'X-Autoreply: no',
		'X-Autogenerated: Forward-ish',
		'X-FC-MachineGenerated: false',
		'Delivered-To: support@example.com',
		'X-POST-MessageClass: 1; Message',
		'X-POST-MessageClass: Autoresponder',
		'X-Kopano-Vacation: no',
		'Preference: list',
	])('%s → normal', async (header) => {
		expect((await withHeaders([header])).class).toBe('normal');
	});
});

describe('R-PLUS-3: mailing lists', () => {
	it.each([
		'List-Id: Kunden-Newsletter <news.example.org>',
		'List-Unsubscribe: <mailto:unsubscribe@example.org>, <https://example.org/u?id=1>',
		'List-Post: <mailto:list@example.org>',
		'Mailing-List: contact list-help@example.org; run by ezmlm',
		'X-Mailing-List: list@example.org',
	])('%s → list', async (header) => {
		const result = await withHeaders([header]);
		expect(result.class).toBe('list');
		expect(result.reasons).toHaveLength(1);
	});
});

describe('R-PLUS-3: loops', () => {
	it('our own loop header with this system id → loop', async () => {
		const result = await withHeaders(['X-Mail-Cases-Loop: prod-1'], { systemId: 'prod-1' });
		expect(result).toEqual({
			class: 'loop',
			reasons: ['X-Mail-Cases-Loop: prod-1 (mail sent by this system)'],
		});
	});

	it('our loop header without a configured system id → loop', async () => {
		expect((await withHeaders(['x-mail-cases-loop: any'])).class).toBe('loop');
	});

	it('the loop header of another installation → autoReply (automatic mail, not our loop)', async () => {
		const result = await withHeaders(['X-Mail-Cases-Loop: other-system'], { systemId: 'prod-1' });
		expect(result.class).toBe('autoReply');
		expect(result.reasons[0]).toMatch(/another mail-cases system/);
	});

	it('mail from one of our own addresses → loop (case-insensitive)', async () => {
		const result = await classify(simpleMail(), {
			ownAddresses: ['support@example.com', 'Erika@Example.ORG'],
		});
		expect(result).toEqual({
			class: 'loop',
			reasons: ['From erika@example.org is an address of this system'],
		});
	});

	it.each([
		['X-Loop: yes', {}, 'loop'],
		['X-Loop: support@example.com', { ownAddresses: ['support@example.com'] }, 'loop'],
		['X-Loop: <SUPPORT@example.com>', { ownAddresses: ['support@example.com'] }, 'loop'],
		['X-Loop: prod-1', { systemId: 'prod-1' }, 'loop'],
		['X-Loop: FreeBSD.org', {}, 'autoReply'],
		[
			'X-Loop: MAILER-DAEMON@mx.example.net',
			{ ownAddresses: ['support@example.com'] },
			'autoReply',
		],
	] as Array<[string, ClassifyOptions, string]>)(
		'%s %j → %s',
		async (header, options, expected) => {
			expect((await withHeaders([header], options)).class).toBe(expected);
		},
	);
});

describe('R-PLUS-3: bounces', () => {
	it('a DSN (multipart/report; report-type=delivery-status) → bounce with status, recipient, diagnostic and the bounced Message-ID', async () => {
		const result = await classify(dsn({ statusBlocks: [FAILED_5_1_1] }));
		expect(result.class).toBe('bounce');
		expect(result.bounce).toEqual({
			status: '5.1.1',
			action: 'failed',
			recipient: 'nobody@example.net',
			diagnostic: '550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown',
			permanent: true,
		});
		expect(result.bouncedMessageId).toBe('<sent.42@cases.example.com>');
		expect(result.reasons[0]).toBe('delivery status notification (multipart/report): failed 5.1.1');
	});

	it('the original header section as text/rfc822-headers gives the bounced Message-ID too', async () => {
		const result = await classify(dsn({ statusBlocks: [FAILED_5_1_1], original: 'headers' }));
		expect(result.bouncedMessageId).toBe('<sent.42@cases.example.com>');
	});

	it('several recipients: the failed one is reported', async () => {
		const delivered = 'Final-Recipient: rfc822; ok@example.net\nAction: delivered\nStatus: 2.0.0';
		const result = await classify(dsn({ statusBlocks: [delivered, FAILED_5_1_1] }));
		expect(result.class).toBe('bounce');
		expect(result.bounce?.recipient).toBe('nobody@example.net');
	});

	it('a delay warning is a (transient) bounce', async () => {
		const delayed =
			'Final-Recipient: rfc822;slow@example.net\nAction: delayed\nStatus: 4.4.7\nWill-Retry-Until: Thu, 5 Mar 2026 10:00:00 +0100';
		const result = await classify(dsn({ statusBlocks: [delayed] }));
		expect(result.class).toBe('bounce');
		expect(result.bounce).toMatchObject({
			action: 'delayed',
			status: '4.4.7',
			permanent: false,
			recipient: 'slow@example.net',
		});
	});

	it('a success report (Action: delivered) is an automatic notice, not a bounce', async () => {
		const delivered = 'Final-Recipient: rfc822; ok@example.net\nAction: delivered\nStatus: 2.0.0';
		const result = await classify(dsn({ statusBlocks: [delivered] }));
		expect(result.class).toBe('autoReply');
		expect(result.reasons).toEqual([
			'delivery status notification (multipart/report) reporting success (delivered)',
		]);
		expect(result.bounce).toMatchObject({ action: 'delivered', status: '2.0.0' });
		expect(result.bounce?.permanent).toBeUndefined();
	});

	it('a message/delivery-status part inside multipart/mixed is recognised as well', async () => {
		const result = await classify(
			dsn({
				statusBlocks: [FAILED_5_1_1],
				outerType: 'Content-Type: multipart/mixed; boundary="R"',
				from: 'someone@example.net',
			}),
		);
		expect(result.class).toBe('bounce');
		expect(result.reasons[0]).toBe('message/delivery-status part: failed 5.1.1');
	});

	it('header-only classification sees the DSN content type (without details)', () => {
		const result = classifyMessage(parseMessageHeaders(dsn({ statusBlocks: [FAILED_5_1_1] })));
		expect(result.class).toBe('bounce');
		expect(result.bounce).toBeUndefined();
	});

	it.each([
		'MAILER-DAEMON@mx.example.net',
		'Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
		'postmaster@example.net',
		'post_master@vtext.example.com',
		'"Mail Delivery System" <bounces@mx.example.net>',
	])('sender %s → bounce', async (from) => {
		const result = await classify(
			eml(
				`From: ${from}\nTo: agent@example.com\nSubject: Re: Test\n\nError: Invalid user address\n`,
			),
		);
		expect(result.class).toBe('bounce');
	});

	it('X-Failed-Recipients → bounce', async () => {
		const result = await withHeaders(['X-Failed-Recipients: nobody@example.net']);
		expect(result).toMatchObject({
			class: 'bounce',
			reasons: ['X-Failed-Recipients: nobody@example.net'],
		});
	});

	it('a bounce subject with signs of automation → bounce; the quoted original Message-ID and status are read from the text', async () => {
		const raw = eml(
			[
				'Return-Path: <>',
				'From: mail system <mailsys@mx.example.net>',
				'Subject: failure notice',
				'Message-ID: <qmail.1@mx.example.net>',
				'',
				"Hi. This is the qmail-send program. I'm afraid I wasn't able to deliver your message.",
				'<nobody@example.net>:',
				'Sorry, no mailbox here by that name. (#5.1.1)',
				'',
				'--- Below this line is a copy of the message.',
				'',
				'From: agent@example.com',
				'Message-ID: <sent.7@cases.example.com>',
				'Subject: Re: [Case 2026-000007]',
				'',
			].join('\n'),
		);
		const result = await classify(raw);
		expect(result.class).toBe('bounce');
		expect(result.reasons).toEqual([
			'bounce subject "failure notice" and null Return-Path',
			'null Return-Path <>',
		]);
		expect(result.bouncedMessageId).toBe('<sent.7@cases.example.com>');
		expect(result.bounce).toEqual({ status: '5.1.1', permanent: true });
	});

	it('German bounce subject from a machine → bounce', async () => {
		const result = await classify(
			eml(
				'From: noreply@mx.example.de\nSubject: =?ISO-8859-1?Q?Unzustellbar:_R=FCckfrage?=\n\nx\n',
			),
		);
		expect(result.class).toBe('bounce');
		expect(result.reasons[0]).toMatch(/^bounce subject "Unzustellbar"/);
	});

	it('null Return-Path alone → autoReply; with bounce text → bounce; <MAILER-DAEMON> counts as null', async () => {
		expect((await withHeaders(['Return-Path: <>'])).class).toBe('autoReply');
		expect(
			await classify(
				simpleMail(['Return-Path: <>'], 'Your message could not be delivered: user unknown'),
			),
		).toMatchObject({
			class: 'bounce',
			reasons: ['null Return-Path <> and bounce text'],
		});
		expect((await withHeaders(['Return-Path: <MAILER-DAEMON>'])).class).toBe('autoReply');
		expect((await withHeaders(['Return-Path: <erika@example.org>'])).class).toBe('normal');
	});

	it('issue #13: Return-Path <MAILER-DAEMON@host> is a null sender too; other daemon-like senders are not', async () => {
		expect(await withHeaders(['Return-Path: <MAILER-DAEMON@mx.example.net>'])).toEqual({
			class: 'autoReply',
			reasons: ['null Return-Path <MAILER-DAEMON@mx.example.net>'],
		});
		expect((await withHeaders(['Return-Path: mailer-daemon@mx.example.net'])).class).toBe(
			'autoReply',
		);
		expect(
			(await classify(simpleMail(['Return-Path: <Mailer-Daemon@mx.example.net>'], 'User unknown')))
				.class,
		).toBe('bounce');
		for (const value of [
			'<mailer-daemon-notify@example.net>',
			'<MAILER-DAEMON@>',
			'<MAILER-DAEMON@a b>',
			'<x.MAILER-DAEMON@example.net>',
		]) {
			expect([value, (await withHeaders([`Return-Path: ${value}`])).class]).toEqual([
				value,
				'normal',
			]);
		}
	});

	it('an Amazon SES bounce notification (JSON) → bounce with its details', async () => {
		const json = JSON.stringify({
			notificationType: 'Bounce',
			bounce: {
				bounceType: 'Permanent',
				bouncedRecipients: [
					{
						emailAddress: 'nobody@example.net',
						action: 'failed',
						status: '5.1.1',
						diagnosticCode: 'smtp; 550 5.1.1 user unknown',
					},
				],
			},
			mail: { messageId: '0101-abc', commonHeaders: { messageId: '<sent.9@cases.example.com>' } },
		});
		const result = await classify(
			eml(
				`From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\nx-amz-sns-message-id: 1\n\n${json}\n`,
			),
		);
		expect(result).toEqual({
			class: 'bounce',
			reasons: ['Amazon SES bounce notification (JSON)'],
			bouncedMessageId: '<sent.9@cases.example.com>',
			bounce: {
				status: '5.1.1',
				action: 'failed',
				recipient: 'nobody@example.net',
				diagnostic: 'smtp; 550 5.1.1 user unknown',
				permanent: true,
			},
		});
	});
});

describe('R-PLUS-3: other reports', () => {
	it('a read receipt (MDN) → autoReply', async () => {
		const raw = eml(
			[
				'From: Erika <erika@example.org>',
				'Subject: Gelesen: Ihre Anfrage',
				'Content-Type: multipart/report; report-type=disposition-notification; boundary="M"',
				'',
				'--M',
				'Content-Type: text/plain; charset=utf-8',
				'',
				'Ihre Nachricht wurde gelesen.',
				'--M',
				'Content-Type: message/disposition-notification',
				'',
				'Final-Recipient: rfc822; erika@example.org',
				'Original-Message-ID: <sent.3@cases.example.com>',
				'Disposition: manual-action/MDN-sent-manually; displayed',
				'--M--',
				'',
			].join('\n'),
		);
		const result = await classify(raw);
		expect(result).toEqual({
			class: 'autoReply',
			reasons: ['message disposition notification (read receipt)'],
		});
	});

	it('issue #13: an abuse report (ARF) → report, with its fields and the reported Message-ID', async () => {
		const raw = eml(
			[
				'From: abuse@provider.example',
				'Subject: Abuse report',
				'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
				'',
				'--F',
				'Content-Type: text/plain',
				'',
				'This is an abuse report.',
				'--F',
				'Content-Type: message/feedback-report',
				'',
				'Feedback-Type: abuse',
				'User-Agent: SomeGenerator/1.0',
				'Version: 1',
				'Original-Rcpt-To: <kunde@provider.example>',
				'Source-IP: 192.0.2.1',
				'--F',
				'Content-Type: message/rfc822',
				'',
				'From: agent@example.com',
				'Message-ID: <sent.5@cases.example.com>',
				'',
				'hi',
				'--F--',
				'',
			].join('\n'),
		);
		const result = await classify(raw);
		expect(result).toEqual({
			class: 'report',
			reasons: ['feedback report (ARF, Feedback-Type: abuse)'],
			bouncedMessageId: '<sent.5@cases.example.com>',
			feedback: {
				feedbackType: 'abuse',
				recipient: 'kunde@provider.example',
				sourceIp: '192.0.2.1',
				userAgent: 'SomeGenerator/1.0',
			},
		});
	});
});

describe('R-PROC-7: subject keywords', () => {
	it.each([
		'Abwesenheit vom 1. bis 5. März',
		'=?UTF-8?Q?Abwesenheitsnotiz?=',
		'=?UTF-8?Q?Automatische_Antwort:_R=C3=BCckfrage?=',
		'=?ISO-8859-1?Q?AW:_Automatische_Antwort?=',
		'Out of Office: Re: Ihre Anfrage',
		'OUT OF THE OFFICE',
		'Automatic reply: Your case',
		'Autoreply: Danke',
		'Auto-Reply: x',
		'=?utf-8?B?UsOpcG9uc2UgYXV0b21hdGlxdWU6IGFic2VudA==?=',
	])('default keywords: %s → autoReply', async (subject) => {
		const result = await withSubject(subject, { autoReplySubjectForms: false });
		expect(result.class).toBe('autoReply');
		expect(result.reasons).toHaveLength(1);
		expect(result.reasons[0]).toMatch(/^subject contains "/);
	});

	it.each([
		'Urlaubsantrag für Mai',
		'Ihre Antwort zu meiner Bestellung',
		'Nichtabwesenheit',
		'Office supplies out of stock',
	])('%s → normal', async (subject) => {
		expect((await withSubject(subject)).class).toBe('normal');
	});

	it('custom keywords replace the defaults; an empty list switches the rule off', async () => {
		expect(
			(await withSubject('Urlaub bis Montag', { ignoreSubjectKeywords: ['Urlaub'] })).class,
		).toBe('autoReply');
		expect(
			(await withSubject('Re: Abwesenheit', { ignoreSubjectKeywords: ['Urlaub'] })).class,
		).toBe('normal');
		expect((await withSubject('Re: Out of office', { ignoreSubjectKeywords: [] })).class).toBe(
			'normal',
		);
		expect(
			(await withSubject('Re: Out of office', { ignoreSubjectKeywords: ['  ', ''] })).class,
		).toBe('normal');
		// the subject forms of mail systems are a rule of their own (autoReplySubjectForms)
		expect(await withSubject('Out of office', { ignoreSubjectKeywords: [] })).toMatchObject({
			class: 'autoReply',
			reasons: ['subject has the auto-reply form "out of office"'],
		});
	});

	it('keywords with umlauts match whatever Unicode form the subject uses', () => {
		expect(subjectHasKeyword('Rücksendung'.normalize('NFD'), 'RÜCKSENDUNG')).toBe(true);
		expect(subjectHasKeyword('Ihre  Rücksendung', 'ihre rücksendung')).toBe(true);
		expect(subjectHasKeyword('Xrücksendung', 'Rücksendung')).toBe(false);
	});

	it('the defaults contain the examples of the specification', () => {
		expect(DEFAULT_IGNORE_SUBJECT_KEYWORDS).toEqual(
			expect.arrayContaining([
				'Abwesenheit',
				'Out of office',
				'Automatische Antwort',
				'Automatic reply',
			]),
		);
	});
});

describe('issue #13: auto-reply subject forms of mail systems', () => {
	const formsOnly = (subject: string) => withSubject(subject, { ignoreSubjectKeywords: [] });

	it.each([
		['Automatic reply: Your case', 'automatic reply:'],
		['AUTOMATISCHE ANTWORT : Ihre Anfrage', 'automatische antwort:'],
		['Automatische Antwort： Ihre Anfrage', 'automatische antwort:'],
		['Out of Office AutoReply: Invoice', 'out of office autoreply:'],
		['Out of Office: Invoice', 'out of office:'],
		['Automatic response: Invoice', 'automatic response:'],
		['Autoresponse: Invoice', 'autoresponse:'],
		['Abwesend: Wartungstermin', 'abwesend:'],
		['Abwesenheitsnotiz: Wartungstermin', 'abwesenheitsnotiz:'],
		['Out of Office', 'out of office'],
		['Yahoo! Auto Response', 'yahoo! auto response'],
		['Erika Muster/DE/Example is out of the office.', ' is out of the office.'],
		['Re: Meeting (Out of Office)', '(out of office)'],
	])('%s → autoReply (form "%s")', async (subject, form) => {
		expect(await formsOnly(subject)).toEqual({
			class: 'autoReply',
			reasons: [`subject has the auto-reply form "${form}"`],
		});
	});

	it.each([
		// a person answering an auto-reply writes its own prefix in front
		'Re: Automatic reply: Your case',
		'AW: Abwesend: Wartungstermin',
		// the words alone, where a person may write them
		'Abwesend',
		'Abwesend am Montag',
		'Out of office supplies',
		'Automatic replies are annoying',
		'Urlaub',
		'Urlaubsvertretung: wer ist zuständig?',
		'Is out of the office the right place?',
	])('%s → normal', async (subject) => {
		expect(await formsOnly(subject)).toEqual({ class: 'normal', reasons: [] });
	});

	it('can be switched off (autoReplySubjectForms: false); a wrong value → INVALID_INPUT', async () => {
		expect(
			(
				await withSubject('Automatic response: Invoice', {
					ignoreSubjectKeywords: [],
					autoReplySubjectForms: false,
				})
			).class,
		).toBe('normal');
		const parsed = await parseMessage(simpleMail());
		expect(() =>
			classifyMessage(parsed, { autoReplySubjectForms: 'yes' as unknown as boolean }),
		).toThrow(/autoReplySubjectForms/);
	});

	it('autoReplySubjectForm finds the form of a subject', () => {
		expect(autoReplySubjectForm('Automatic reply: x')).toBe('automatic reply:');
		expect(autoReplySubjectForm('Re: x')).toBeUndefined();
		expect(autoReplySubjectForm('')).toBeUndefined();
	});
});

describe('issue #13: the subject alone never moves a mail of our conversations', () => {
	const OUR_ID = '<mail-cases.send.0123456789abcdef0123456789abcdef@example.com>';
	const mail = (headers: string[], subject: string) =>
		eml(
			[
				'From: Erika <erika@example.org>',
				'To: support@example.com',
				`Subject: ${subject}`,
				'Message-ID: <s@example.org>',
				...headers,
				'',
				'Hallo',
				'',
			].join('\n'),
		);

	it('a case reference in the subject: normal, probablyAutomatic, both reasons', async () => {
		expect(await classify(mail([], 'Re: [#2026-000012] Abwesenheit Ihres Technikers'))).toEqual({
			class: 'normal',
			probablyAutomatic: true,
			reasons: [
				'subject contains "Abwesenheit"',
				'the subject alone does not decide: the subject carries the case reference [#2026-000012]',
			],
		});
		// a signed reference, anywhere in the subject, blanks inside the brackets
		expect(
			(await classify(mail([], 'Automatic reply: Ihre Anfrage [ #2026-000012-k7q2mz ]')))
				.probablyAutomatic,
		).toBe(true);
	});

	it('In-Reply-To or References naming a mail we sent (mail-cases ids, or the domain of an own address)', async () => {
		expect(
			await classify(mail([`In-Reply-To: ${OUR_ID}`], 'Automatische Antwort: Ihre Anfrage')),
		).toMatchObject({ class: 'normal', probablyAutomatic: true });
		const viaReferences = await classify(
			mail([`References: <a@example.org> ${OUR_ID}`], 'Out of Office: Ihre Anfrage'),
		);
		expect(viaReferences.class).toBe('normal');
		expect(viaReferences.reasons.at(-1)).toBe(
			`the subject alone does not decide: its References name our mail ${OUR_ID}`,
		);
		const ownDomain = await classify(
			mail(['In-Reply-To: <4f1c2e@service.example.com>'], 'Out of Office: Ihre Anfrage'),
			{ ownAddresses: ['Support@Service.Example.com'] },
		);
		expect(ownDomain).toMatchObject({ class: 'normal', probablyAutomatic: true });
	});

	it('without such signs the subject still decides; foreign ids and look-alike domains are no sign', async () => {
		for (const headers of [
			[],
			['In-Reply-To: <4f1c2e@partner.example.org>'],
			['In-Reply-To: <4f1c2e@service.example.com.evil.example>'],
			['References: <mail-cases@example.com>'],
		]) {
			const result = await classify(mail(headers, 'Out of Office: Ihre Anfrage'), {
				ownAddresses: ['support@service.example.com'],
			});
			expect([headers, result.class, result.probablyAutomatic]).toEqual([
				headers,
				'autoReply',
				undefined,
			]);
		}
		for (const subject of ['Out of Office: [#general]', 'Out of Office: [2026-000012]']) {
			expect((await classify(mail([], subject))).class).toBe('autoReply');
		}
	});

	it('other rules still decide: RFC 3834 headers → autoReply, list headers → list; no flag then', async () => {
		const auto = await classify(
			mail(['Auto-Submitted: auto-replied'], 'Automatic reply: [#2026-000012] Ihre Anfrage'),
		);
		expect(auto.class).toBe('autoReply');
		expect(auto.probablyAutomatic).toBeUndefined();
		const list = await classify(
			mail(['List-Id: <team.example.org>'], 'Out of Office: [#2026-000012] Ihre Anfrage'),
		);
		expect(list.class).toBe('list');
		expect(list.probablyAutomatic).toBeUndefined();
	});

	it('caseReferenceIn and isOwnMessageId', () => {
		expect(caseReferenceIn('Re: [#2026-000012-k7q2mz] x')).toBe('[#2026-000012-k7q2mz]');
		expect(caseReferenceIn('[#general] [#12]')).toBe('[#12]');
		expect(caseReferenceIn('[#]')).toBeUndefined();
		const none = new Set<string>();
		expect(isOwnMessageId('<mail-cases.notify.abc@x.example>', none)).toBe(true);
		expect(isOwnMessageId('<abc@x.example>', new Set(['x.example']))).toBe(true);
		expect(isOwnMessageId('<abc@x.example>', none)).toBe(false);
		expect(isOwnMessageId('<mail-cases.notify.abc>', none)).toBe(false);
	});
});

describe('priority: loop > bounce > report > autoReply > list > normal', () => {
	it('is the documented order', () => {
		expect(CLASS_PRIORITY).toEqual(['loop', 'bounce', 'report', 'autoReply', 'list']);
		expect(FILTERS.length).toBeGreaterThan(10);
	});

	it('loop beats bounce; all reasons are kept in pipeline order', async () => {
		const result = await classify(
			dsn({ statusBlocks: [FAILED_5_1_1], extraHeaders: ['X-Mail-Cases-Loop: prod-1'] }),
			{ systemId: 'prod-1' },
		);
		expect(result.class).toBe('loop');
		expect(result.reasons).toEqual([
			'X-Mail-Cases-Loop: prod-1 (mail sent by this system)',
			'delivery status notification (multipart/report): failed 5.1.1',
		]);
		expect(result.bouncedMessageId).toBe('<sent.42@cases.example.com>');
	});

	it('bounce beats autoReply (DSN with Auto-Submitted)', async () => {
		const result = await classify(
			dsn({ statusBlocks: [FAILED_5_1_1], extraHeaders: ['Auto-Submitted: auto-replied'] }),
		);
		expect(result.class).toBe('bounce');
		expect(result.reasons).toEqual([
			'delivery status notification (multipart/report): failed 5.1.1',
			'Auto-Submitted: auto-replied',
		]);
	});

	it('autoReply beats list (Gmail vacation reply of a list member)', async () => {
		const result = await withHeaders([
			'Auto-Submitted: auto-replied',
			'List-Id: <team.example.org>',
		]);
		expect(result).toEqual({
			class: 'autoReply',
			reasons: ['Auto-Submitted: auto-replied', 'List-Id: <team.example.org>'],
		});
	});
});

describe('options', () => {
	it('invalid options → INVALID_INPUT', async () => {
		const parsed = await parseMessage(simpleMail());
		expect(() =>
			classifyMessage(parsed, { ignoreSubjectKeywords: 'Urlaub' as unknown as string[] }),
		).toThrow(MailCasesError);
		expect(() => classifyMessage(parsed, { ownAddresses: [1 as unknown as string] })).toThrow(
			/ownAddresses/,
		);
		expect(() => classifyMessage(parsed, { systemId: 'has space' })).toThrow(/system id/);
	});
});

describe('issue #13 hostile: subject forms, case references and thread ids stay linear', () => {
	// no timing asserts: a super-linear pattern runs into the test timeout instead
	const MB = 1024 * 1024;
	const base = (extra: Partial<ReturnType<typeof parseMessageHeaders>>) => ({
		...parseMessageHeaders(Buffer.from('From: max@example.com\r\n\r\n')),
		...extra,
	});

	it('1 MB of unclosed and letter-only references with an auto-reply form: still an auto-reply', () => {
		const subject = `Automatic reply: ${'[#'.repeat(MB / 4)}${'[#abc] '.repeat(MB / 14)}`;
		expect(classifyMessage(base({ subject }))).toEqual({
			class: 'autoReply',
			reasons: [
				'subject contains "Automatic reply"',
				'subject has the auto-reply form "automatic reply:"',
			],
		});
	});

	it('1 MB of near misses of subject forms is normal', () => {
		const subject = 'automatic repl '.repeat(MB / 15);
		expect(classifyMessage(base({ subject }), { ignoreSubjectKeywords: [] })).toEqual({
			class: 'normal',
			reasons: [],
		});
	});

	it('200,000 foreign References and a reference beyond the scanned part: the subject decides', () => {
		const references = Array.from({ length: 200_000 }, (_, i) => `<${i}@partner.example.org>`);
		const subject = `Out of Office: ${'x'.repeat(MB)} [#2026-000012]`;
		const result = classifyMessage(base({ subject, references, inReplyTo: references[0] }), {
			ownAddresses: ['support@example.com'],
		});
		expect(result.class).toBe('autoReply');
	});
});
