import { createHash } from 'node:crypto';
import { MailCasesError } from '../../../lib/errors';
import { parseMailDate, parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import { eml, pseudoRandomBytes, simpleMail } from './mail-builder';

async function parseError(
	raw: Buffer,
	options?: Parameters<typeof parseMessage>[1],
): Promise<MailCasesError> {
	try {
		await parseMessage(raw, options);
	} catch (error) {
		expect(error).toBeInstanceOf(MailCasesError);
		return error as MailCasesError;
	}
	throw new Error('parseMessage did not throw');
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('parseMessage: header fields (R-PLUS-6)', () => {
	const raw = eml(
		[
			'Return-Path: <erika@example.org>',
			'Received: from a by b; Tue, 03 Mar 2026 10:15:01 +0100',
			'Received: from c by d; Tue, 03 Mar 2026 10:15:02 +0100',
			'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>',
			'To: Support <support@example.com>, Team: a@example.com, "Bee, B." <b@example.com>;',
			'Cc: c1@example.com,',
			' =?ISO-8859-1?Q?Fran=E7ois?= <c2@example.com>',
			'Bcc: hidden@example.com',
			'Reply-To: =?UTF-8?Q?M=C3=BCller=2C_Hans?= <hans@example.de>',
			'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?= [Case 2026-000123]',
			'Date: Tue, 03 Mar 2026 10:15:00 +0100 (CET)',
			'Message-ID: <abc.123@example.de>',
			"In-Reply-To: <prev@example.com> (Support's message)",
			'References: <r1@example.com>',
			' <r2@example.com>   <prev@example.com>',
			'X-Custom: =?UTF-8?B?' + b64('Ärger mit Öl') + '?=',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Name = Mustermann',
			'',
		].join('\n'),
	);

	it('reads ids, addresses, subject and date', async () => {
		const parsed = await parseMessage(raw);
		expect(parsed.messageId).toBe('<abc.123@example.de>');
		expect(parsed.inReplyTo).toBe('<prev@example.com>');
		expect(parsed.references).toEqual([
			'<r1@example.com>',
			'<r2@example.com>',
			'<prev@example.com>',
		]);
		expect(parsed.subject).toBe('Grüße aus Köln [Case 2026-000123]');
		expect(parsed.from).toEqual({ address: 'juergen@example.de', name: 'Jürgen Müller' });
		expect(parsed.to).toEqual([
			{ address: 'support@example.com', name: 'Support' },
			{ address: 'a@example.com', name: '' },
			{ address: 'b@example.com', name: 'Bee, B.' },
		]);
		expect(parsed.cc).toEqual([
			{ address: 'c1@example.com', name: '' },
			{ address: 'c2@example.com', name: 'François' },
		]);
		expect(parsed.bcc).toEqual([{ address: 'hidden@example.com', name: '' }]);
		// the encoded comma belongs to the name: one address, not two
		expect(parsed.replyTo).toEqual([{ address: 'hans@example.de', name: 'Müller, Hans' }]);
		expect(parsed.date).toBe('2026-03-03T09:15:00.000Z');
		expect(parsed.text.trim()).toBe('Name = Mustermann');
		expect(parsed.html).toBeNull();
		expect(parsed.attachments).toEqual([]);
	});

	it('keeps all headers with lower-case names, unfolded and decoded; repeated ones as arrays', async () => {
		const { headers } = await parseMessage(raw);
		expect(headers['x-custom']).toBe('Ärger mit Öl');
		expect(headers.received).toEqual([
			'from a by b; Tue, 03 Mar 2026 10:15:01 +0100',
			'from c by d; Tue, 03 Mar 2026 10:15:02 +0100',
		]);
		expect(headers.cc).toBe('c1@example.com, François <c2@example.com>');
		expect(headers['content-type']).toBe('text/plain; charset=utf-8');
		expect(headers.subject).toBe('Grüße aus Köln [Case 2026-000123]');
		expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
	});

	it('gives size and SHA-256 of the raw bytes', async () => {
		const parsed = await parseMessage(raw);
		expect(parsed.size).toBe(raw.length);
		expect(parsed.rawHash).toBe(createHash('sha256').update(raw).digest('hex'));
	});

	it('the cheap header-only path gives the same header fields', async () => {
		const full = await parseMessage(raw);
		const head = parseMessageHeaders(raw);
		const { text, html, attachments, attachmentsOmitted, notes, ...fullHead } = full;
		expect(text).toBeDefined();
		expect(html).toBeNull();
		expect(attachments).toEqual([]);
		expect(attachmentsOmitted).toBe(0);
		expect(notes).toBeUndefined();
		expect(head).toEqual(fullHead);
	});

	it('absent fields: null / empty, never invented', async () => {
		const parsed = await parseMessage(eml('X-Nothing: here\nMIME-Version: 1.0\n\nbody\n'));
		expect(parsed.messageId).toBeNull();
		expect(parsed.subject).toBe('');
		expect(parsed.from).toBeNull();
		expect(parsed.to).toEqual([]);
		expect(parsed.date).toBeNull();
		expect(parsed.inReplyTo).toBeNull();
		expect(parsed.references).toEqual([]);
		expect(parsed.text.trim()).toBe('body');
	});

	it('an unreadable Date gives null (not the current time)', async () => {
		const parsed = await parseMessage(eml('Date: sometime soon\nSubject: x\n\nb\n'));
		expect(parsed.date).toBeNull();
	});

	it('raw 8-bit headers: UTF-8 when valid, else Windows-1252', async () => {
		const utf8 = await parseMessage(eml('From: Jörg <j@example.de>\nSubject: Größe ändern\n\nx\n'));
		expect(utf8.subject).toBe('Größe ändern');
		expect(utf8.from).toEqual({ address: 'j@example.de', name: 'Jörg' });
		const latin = await parseMessage(
			eml('From: Jörg <j@example.de>\nSubject: Größe ändern\n\nx\n', { latin1: true }),
		);
		expect(latin.subject).toBe('Größe ändern');
		const cp1252 = await parseMessage(
			Buffer.concat([
				Buffer.from('Subject: Preis 10 '),
				Buffer.from([0x80]),
				Buffer.from('\r\n\r\nx\r\n'),
			]),
		);
		expect(cp1252.subject).toBe('Preis 10 €');
		expect(latin.from?.name).toBe('Jörg');
	});

	it('CR/LF smuggled in through encoded words does not survive into headers or names', async () => {
		const parsed = await parseMessage(
			eml(
				'From: =?UTF-8?Q?Eve=0D=0ABcc=3A_x@example.com?= <eve@example.org>\nSubject: =?UTF-8?Q?Hi=0D=0ABcc:_victim@example.com?=\nX-Note: =?UTF-8?Q?a=00b=09c?=\n\nb\n',
			),
		);
		expect(parsed.subject).toBe('Hi  Bcc: victim@example.com');
		expect(parsed.from).toEqual({ address: 'eve@example.org', name: 'Eve  Bcc: x@example.com' });
		expect(parsed.headers['x-note']).toBe('a b\tc');
	});

	it('a header named like an Object.prototype member stays plain data', async () => {
		const parsed = await parseMessage(
			eml('__proto__: polluted\nconstructor: x\nSubject: s\n\nb\n'),
		);
		expect(Object.getPrototypeOf(parsed.headers)).toBe(Object.prototype);
		expect(Object.getOwnPropertyDescriptor(parsed.headers, '__proto__')?.value).toBe('polluted');
		expect(parsed.headers.constructor).toBe('x');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('skips a leading mbox "From " line', async () => {
		const parsed = await parseMessage(
			eml(
				[
					'From MAILER-DAEMON  Sat Oct  4 08:00:09 2025',
					'From: a@example.org',
					'Subject: hi',
					'Content-Type: multipart/mixed; boundary="x"',
					'',
					'--x',
					'Content-Type: text/plain',
					'',
					'body',
					'--x',
					'Content-Type: text/plain',
					'Content-Disposition: attachment; filename="f.txt"',
					'',
					'file',
					'--x--',
					'',
				].join('\n'),
			),
		);
		expect(parsed.from?.address).toBe('a@example.org');
		expect(parsed.subject).toBe('hi');
		expect(parsed.text.trim()).toBe('body');
		expect(parsed.attachments.map((a) => a.filename)).toEqual(['f.txt']);
	});
});

describe('dates', () => {
	it('dates: RFC 5322 with comments, obsolete forms, garbage', () => {
		expect(parseMailDate('Sun, 30 Aug 2015 16:56:06 +0200 (CEST)')).toBe(
			'2015-08-30T14:56:06.000Z',
		);
		expect(parseMailDate('12 Jun 2013 02:21:53 -0000')).toBe('2013-06-12T02:21:53.000Z');
		expect(parseMailDate('not a date')).toBeNull();
		expect(parseMailDate(undefined)).toBeNull();
	});
});

describe('parseMessage: body charsets (R-PLUS-6)', () => {
	const body = (contentType: string, encoding: string, content: string, latin1 = false) =>
		eml(
			`From: a@example.org\nSubject: t\nMIME-Version: 1.0\nContent-Type: ${contentType}\nContent-Transfer-Encoding: ${encoding}\n\n${content}\n`,
			{ latin1 },
		);

	it('ISO-8859-1, quoted-printable', async () => {
		const parsed = await parseMessage(
			body('text/plain; charset=ISO-8859-1', 'quoted-printable', 'Gr=FC=DFe, Stra=DFe =\nam Ende'),
		);
		expect(parsed.text.trim()).toBe('Grüße, Straße am Ende');
	});

	it('ISO-8859-1, raw 8-bit', async () => {
		const parsed = await parseMessage(
			body('text/plain; charset="iso-8859-1"', '8bit', 'Ärger über Öl', true),
		);
		expect(parsed.text.trim()).toBe('Ärger über Öl');
	});

	it('Windows-1252: euro sign and typographic quotes', async () => {
		const raw = Buffer.concat([
			body('text/plain; charset=windows-1252', '8bit', ''),
			Buffer.from([0x80, 0x20, 0x84, 0x61, 0x93]),
			Buffer.from('\r\n'),
		]);
		const parsed = await parseMessage(raw);
		expect(parsed.text.trim()).toBe('€ „a“');
	});

	it('ISO-2022-JP, 7bit', async () => {
		const parsed = await parseMessage(
			body('text/plain; charset=ISO-2022-JP', '7bit', '\x1b$BF|K\\8l\x1b(B', true),
		);
		expect(parsed.text.trim()).toBe('日本語');
	});

	it('UTF-8, base64', async () => {
		const parsed = await parseMessage(
			body('text/plain; charset=UTF-8', 'base64', b64('Grüße – ✓')),
		);
		expect(parsed.text.trim()).toBe('Grüße – ✓');
	});

	it('HTML only: html kept as sent, text converted from it', async () => {
		const parsed = await parseMessage(
			body('text/html; charset=utf-8', '8bit', '<p>Hallo <b>Jürgen</b></p><p>Name = Müller</p>'),
		);
		expect(parsed.html).toContain('<b>Jürgen</b>');
		expect(parsed.text).toContain('Hallo Jürgen');
		expect(parsed.text).toContain('Name = Müller');
	});

	it('multipart/alternative: text from the plain part, html from the html part', async () => {
		const raw = eml(
			[
				'From: a@example.org',
				'Subject: alt',
				'Content-Type: multipart/alternative; boundary="b1"',
				'',
				'--b1',
				'Content-Type: text/plain; charset=utf-8',
				'',
				'plain Grüße',
				'--b1',
				'Content-Type: text/html; charset=utf-8',
				'',
				'<p>html Grüße</p>',
				'--b1--',
				'',
			].join('\n'),
		);
		const parsed = await parseMessage(raw);
		expect(parsed.text.trim()).toBe('plain Grüße');
		expect(parsed.html).toContain('<p>html Grüße</p>');
	});
});

describe('parseMessage: attachments (R-PROC-2, R-PLUS-6)', () => {
	const pdf = Buffer.from('%PDF-1.4 fake pdf content');
	const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
	const raw = eml(
		[
			'From: a@example.org',
			'Subject: files',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="outer"',
			'',
			'--outer',
			'Content-Type: multipart/related; boundary="rel"',
			'',
			'--rel',
			'Content-Type: text/html; charset=utf-8',
			'',
			'<p>Logo: <img src="cid:logo.123@example.org"></p>',
			'--rel',
			'Content-Type: image/png',
			'Content-Transfer-Encoding: base64',
			'Content-ID: <logo.123@example.org>',
			'',
			png.toString('base64'),
			'--rel--',
			'--outer',
			'Content-Type: application/pdf',
			'Content-Transfer-Encoding: base64',
			"Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf",
			'',
			pdf.toString('base64'),
			'--outer',
			'Content-Type: text/plain; charset=utf-8',
			'Content-Disposition: attachment;',
			" filename*0*=UTF-8''Sehr%20lange%20Datei;",
			' filename*1*=%C3%BCber%20%C3%84nderungen.txt',
			'',
			'Inhalt',
			'--outer',
			'Content-Type: application/octet-stream; name="=?UTF-8?B?' +
				b64('Bestätigung für Jörg.docx') +
				'?="',
			'Content-Transfer-Encoding: base64',
			'Content-Disposition: attachment',
			'',
			b64('docx'),
			'--outer',
			'Content-Type: text/plain',
			"Content-Disposition: attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt",
			'',
			'Hallo',
			'--outer',
			'Content-Type: application/octet-stream',
			'Content-Disposition: attachment; filename="../../etc/passwd"',
			'',
			'x',
			'--outer--',
			'',
		].join('\n'),
	);

	it('decodes file names: RFC 2231 (also continued and ISO-8859-1), encoded words, umlauts', async () => {
		const parsed = await parseMessage(raw);
		expect(parsed.attachments.map((a) => a.filename)).toEqual([
			'attachment-1.png',
			'Übersicht März.pdf',
			'Sehr lange Dateiüber Änderungen.txt',
			'Bestätigung für Jörg.docx',
			'Grüße.txt',
			'passwd',
		]);
		expect(parsed.attachments.slice(1).every((a) => a.filenameGiven)).toBe(true);
	});

	it('content, size, SHA-256 checksum and type of each attachment', async () => {
		const parsed = await parseMessage(raw);
		const file = parsed.attachments.find((a) => a.filename === 'Übersicht März.pdf');
		expect(file).toMatchObject({ contentType: 'application/pdf', size: pdf.length, inline: false });
		expect(file?.content.equals(pdf)).toBe(true);
		expect(file?.checksum).toBe(createHash('sha256').update(pdf).digest('hex'));
		expect(file?.contentId).toBeUndefined();
		const docx = parsed.attachments.find((a) => a.filename.endsWith('.docx'));
		expect(docx?.contentType).toBe(
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		);
	});

	it('an embedded (cid) image is inline, its contentId has no brackets, the html keeps the cid: link', async () => {
		const parsed = await parseMessage(raw);
		const image = parsed.attachments[0];
		expect(image).toMatchObject({
			contentType: 'image/png',
			inline: true,
			contentId: 'logo.123@example.org',
			filenameGiven: false,
		});
		expect(image.filename).toBe('attachment-1.png');
		expect(image.content.equals(png)).toBe(true);
		expect(parsed.html).toContain('src="cid:logo.123@example.org"');
	});

	it('an attached message (message/rfc822) is kept as <subject>.eml and can be read again', async () => {
		const inner = [
			'From: inner@example.org',
			'Subject: Ursprüngliche Anfrage',
			'Message-ID: <inner@example.org>',
			'',
			'inner body',
			'',
		].join('\r\n');
		const outer = eml(
			[
				'From: a@example.org',
				'Subject: Fwd',
				'Content-Type: multipart/mixed; boundary="m"',
				'',
				'--m',
				'Content-Type: text/plain',
				'',
				'see attached',
				'--m',
				'Content-Type: message/rfc822',
				'Content-Description: Forwarded message',
				'',
				inner,
				'--m--',
				'',
			].join('\n'),
		);
		const parsed = await parseMessage(outer);
		expect(parsed.text.trim()).toBe('see attached');
		expect(parsed.attachments).toHaveLength(1);
		const [message] = parsed.attachments;
		expect(message).toMatchObject({
			contentType: 'message/rfc822',
			filename: 'Ursprüngliche Anfrage.eml',
			filenameGiven: false,
			inline: false,
		});
		const again = parseMessageHeaders(message.content);
		expect(again.messageId).toBe('<inner@example.org>');
		expect(again.subject).toBe('Ursprüngliche Anfrage');
	});

	it('a message/rfc822 part with inline disposition is shown inside the body', async () => {
		const outer = eml(
			[
				'From: a@example.org',
				'Subject: nested inline',
				'Content-Type: multipart/mixed; boundary="m"',
				'',
				'--m',
				'Content-Type: text/plain',
				'',
				'outer text',
				'--m',
				'Content-Type: message/rfc822',
				'Content-Disposition: inline',
				'',
				'From: inner@example.org',
				'Subject: inner subject',
				'Content-Type: multipart/mixed; boundary="i"',
				'',
				'--i',
				'Content-Type: text/plain',
				'',
				'inner text',
				'--i',
				'Content-Type: text/plain',
				'Content-Disposition: attachment; filename="inner.txt"',
				'',
				'inner file',
				'--i--',
				'--m--',
				'',
			].join('\n'),
		);
		const parsed = await parseMessage(outer);
		expect(parsed.text).toContain('outer text');
		expect(parsed.text).toContain('inner text');
		expect(parsed.attachments.map((a) => a.filename)).toEqual(['inner.txt']);
	});

	it('made-up names use Content-Description and the type', async () => {
		const parsed = await parseMessage(
			eml(
				[
					'From: a@example.org',
					'Subject: r',
					'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
					'',
					'--r',
					'Content-Type: text/plain',
					'',
					'notice',
					'--r',
					'Content-Type: message/delivery-status',
					'Content-Description: Delivery report',
					'',
					'Final-Recipient: rfc822; x@example.com',
					'Action: failed',
					'Status: 5.1.1',
					'--r--',
					'',
				].join('\n'),
			),
		);
		expect(parsed.attachments.map((a) => [a.filename, a.filenameGiven])).toEqual([
			['Delivery report.txt', false],
		]);
	});
});

describe('parseMessage: robustness', () => {
	it('a multipart without its closing boundary still gives its parts', async () => {
		const parsed = await parseMessage(
			eml(
				[
					'From: a@example.org',
					'Subject: cut off',
					'Content-Type: multipart/mixed; boundary="cut"',
					'',
					'--cut',
					'Content-Type: text/plain; charset=utf-8',
					'',
					'first part Grüße',
					'--cut',
					'Content-Type: text/plain',
					'Content-Disposition: attachment; filename="a.txt"',
					'',
					'file content',
				].join('\n'),
			),
		);
		expect(parsed.text).toContain('first part Grüße');
		expect(parsed.attachments.map((a) => a.filename)).toEqual(['a.txt']);
		expect(parsed.attachments[0].content.toString()).toContain('file content');
	});

	it('a multipart without boundary parameter does not throw', async () => {
		const parsed = await parseMessage(
			eml(
				'From: a@example.org\nSubject: nb\nContent-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n',
			),
		);
		expect(parsed.subject).toBe('nb');
	});

	it('unknown charset, bad base64 and a bad transfer encoding do not throw', async () => {
		const parsed = await parseMessage(
			eml(
				'From: a@example.org\nSubject: odd\nContent-Type: text/plain; charset=x-klingon\nContent-Transfer-Encoding: base64\n\n!!!not base64***\n',
			),
		);
		expect(parsed.subject).toBe('odd');
		expect(typeof parsed.text).toBe('string');
	});

	it.each([
		['empty input', Buffer.alloc(0)],
		['only blank lines', eml('\n\n\n')],
		['headers without body', eml('Subject: only headers')],
		['binary zeros', Buffer.alloc(4096)],
		['pseudo-random bytes', pseudoRandomBytes(64 * 1024, 42)],
		['a 200 kB header line', eml(`Subject: ${'x'.repeat(200_000)}\n\nb\n`)],
		[
			'deeply nested multiparts',
			eml(
				Array.from(
					{ length: 200 },
					(_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}`,
				).join('\n') + '\nContent-Type: text/plain\n\ndeep\n',
			),
		],
	])(
		'%s: parses or fails with MESSAGE_UNPARSEABLE / NOT_AN_EMAIL, never crashes',
		async (_name, raw) => {
			try {
				const parsed = await parseMessage(raw);
				expect(typeof parsed.subject).toBe('string');
				expect(Array.isArray(parsed.attachments)).toBe(true);
				expect(parsed.size).toBe(raw.length);
			} catch (error) {
				expect(error).toBeInstanceOf(MailCasesError);
				expect(['MESSAGE_UNPARSEABLE', 'NOT_AN_EMAIL']).toContain((error as MailCasesError).code);
			}
		},
	);

	it('more MIME parts than the parser allows → MESSAGE_UNPARSEABLE naming the reason', async () => {
		const parts = Array.from(
			{ length: 1100 },
			(_, i) => `--p\nContent-Type: text/plain\n\npart ${i}`,
		).join('\n');
		const error = await parseError(
			eml(`From: a@example.org\nContent-Type: multipart/mixed; boundary="p"\n\n${parts}\n--p--\n`),
		);
		expect(error.code).toBe('MESSAGE_UNPARSEABLE');
		expect(error.message).toMatch(/cannot be parsed: .+/);
	});

	it('CR-only line ends (old Mac) parse like LF', async () => {
		const lf =
			'From: a@example.org\nSubject: Mac\nContent-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nline one\nline two\n--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename="f.txt"\n\nfile\n--m--\n';
		const fromLf = await parseMessage(Buffer.from(lf));
		const fromCr = await parseMessage(Buffer.from(lf.replace(/\n/g, '\r')));
		expect(fromCr.subject).toBe('Mac');
		expect(fromCr.text.replace(/\r/g, '')).toBe(fromLf.text.replace(/\r/g, ''));
		expect(fromCr.attachments.map((a) => a.filename)).toEqual(['f.txt']);
	});

	it('a message over maxBytes → MESSAGE_TOO_LARGE before parsing', async () => {
		const raw = simpleMail([], 'x'.repeat(2000));
		const error = await parseError(raw, { maxBytes: 1000 });
		expect(error.code).toBe('MESSAGE_TOO_LARGE');
		expect(error.details).toEqual({ size: raw.length, maxBytes: 1000 });
		await expect(parseMessage(raw, { maxBytes: raw.length })).resolves.toMatchObject({
			subject: 'Question about my order',
		});
	});

	it('the default limit is 25 MB', async () => {
		const error = await parseError(Buffer.alloc(25 * 1024 * 1024 + 1, 0x41));
		expect(error.code).toBe('MESSAGE_TOO_LARGE');
	});

	it('input that is not a Buffer → INVALID_INPUT', async () => {
		const error = await parseError('From: a@b\n\nx' as unknown as Buffer);
		expect(error.code).toBe('INVALID_INPUT');
		expect(() => parseMessageHeaders(null as unknown as Buffer)).toThrow(MailCasesError);
	});

	describe('with fake timers', () => {
		beforeEach(() =>
			jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }),
		);
		afterEach(() => jest.useRealTimers());

		it('parsing that exceeds timeoutMs → MESSAGE_UNPARSEABLE', async () => {
			const pending = parseMessage(simpleMail(), { timeoutMs: 5000 });
			jest.advanceTimersByTime(5000);
			await expect(pending).rejects.toMatchObject({
				code: 'MESSAGE_UNPARSEABLE',
				message: expect.stringContaining('5000 ms'),
			});
		});
	});
});
