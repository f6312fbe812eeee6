/**
 * Reading real mail (issue #13 item 8): UTF-7 encoded words, undeclared 8-bit charsets (body
 * and raw header bytes), text from HTML when there is no text part, boundaries that end in
 * whitespace. The fixtures under test/fixtures/mail-reading/ are made for these tests; each one
 * names the case it comes from in its X-Fixture-Source header. The corpus cases are in
 * corpus-reading.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as chardet from 'chardet';
import * as iconv from 'iconv-lite';
import { withUsableBoundaries } from '../../../lib/mail/boundary-whitespace';
import { decodeEncodedWords, utf7WordsAsUtf8 } from '../../../lib/mail/encoded-words';
import { parseMessage, parseMessageHeaders } from '../../../lib/mail/parse-message';
import {
	MAX_CHARSET_SAMPLE_BYTES,
	MAX_CHARSET_SAMPLE_BYTES_PER_MAIL,
	decodeUndeclared,
	detectUndeclaredCharset,
} from '../../../lib/mail/undeclared-charset';

const fixture = (name: string) =>
	fs.readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'mail-reading', name));

const RUSSIAN =
	'Здравствуйте! Мой заказ номер 4711 до сих пор не доставлен. Прошу сообщить, когда его отправят.';
const GERMAN = 'Bitte prüfen Sie die Rechnung für März. Mit freundlichen Grüßen aus Köln.';

describe('UTF-7 encoded words', () => {
	it('decodes the Q and B forms and the unicode-1-1-utf-7 label (Zammad mail018, mikel/mail#1312)', () => {
		expect(decodeEncodedWords('=?unicode-1-1-utf-7?Q?+ANw-bermittlungsstatus?=')).toBe(
			'Übermittlungsstatus',
		);
		expect(decodeEncodedWords('=?UTF-7?B?K1plVm5MSXFlLQ==?=')).toBe('日本語');
		expect(decodeEncodedWords('=?utf-7?Q?a+ACA-b?= =?utf-7?Q?+ANw-?=')).toBe('a bÜ');
	});

	it('subject, headers and the From display name of a mail (fixture utf7-encoded-words.eml)', async () => {
		const raw = fixture('utf7-encoded-words.eml');
		const parsed = await parseMessage(raw);
		expect(parsed.subject).toBe('Übermittlungsstatus: 日本語');
		expect(parsed.from).toEqual({ address: 'bjoern@example.com', name: 'Björn Berg' });
		expect(parsed.headers.from).toBe('Björn Berg <bjoern@example.com>');
		expect(parseMessageHeaders(raw).subject).toBe(parsed.subject);
	});

	it('rewrites UTF-7 words of address fields as UTF-8 words, other words untouched', () => {
		const value = '=?utf-7?Q?M+APw-ller, Hans?= <h@example.com>, =?UTF-8?Q?J=C3=BCrgen?= <j@x.de>';
		const rewritten = utf7WordsAsUtf8(value);
		expect(rewritten).toContain('=?UTF-8?Q?J=C3=BCrgen?=');
		expect(rewritten).not.toMatch(/utf-7/i);
		expect(decodeEncodedWords(rewritten)).toBe('Müller, Hans <h@example.com>, Jürgen <j@x.de>');
	});

	it('a UTF-7 word that decodes to markup or control characters stays plain header text', async () => {
		const raw = Buffer.from(
			'From: a@example.com\r\nSubject: =?utf-7?Q?+ADw-b+AD4-x+AA0ACg-Bcc: y?=\r\n\r\nbody\r\n',
		);
		const parsed = await parseMessage(raw);
		expect(parsed.subject).toBe('<b>x  Bcc: y');
		expect(parsed.headers.bcc).toBeUndefined();
	});
});

describe('undeclared 8-bit charsets', () => {
	it('detects KOI8-R, Windows-1251 and ISO-8859-1 and decodes them without U+FFFD', () => {
		for (const [charset, text, expected] of [
			['koi8-r', RUSSIAN, 'koi8-r'],
			['windows-1251', RUSSIAN, 'windows-1251'],
			['latin1', GERMAN, 'windows-1252'],
		] as const) {
			const bytes = iconv.encode(text, charset);
			expect(detectUndeclaredCharset(bytes)).toBe(expected);
			expect(decodeUndeclared(bytes)).toBe(text);
		}
	});

	it('keeps valid UTF-8 and 7-bit text as UTF-8', () => {
		expect(detectUndeclaredCharset(Buffer.from(RUSSIAN, 'utf8'))).toBe('utf-8');
		expect(detectUndeclaredCharset(Buffer.from('plain ascii'))).toBe('utf-8');
		expect(decodeUndeclared(Buffer.from(GERMAN, 'utf8'))).toBe(GERMAN);
	});

	it('finds the 8-bit text after a long ASCII preamble (the sample starts near the first 8-bit byte)', () => {
		const bytes = Buffer.concat([
			Buffer.from('x'.repeat(3 * MAX_CHARSET_SAMPLE_BYTES) + '\n'),
			iconv.encode(RUSSIAN.repeat(3), 'koi8-r'),
		]);
		expect(detectUndeclaredCharset(bytes)).toBe('koi8-r');
	});

	it('reads binary junk as Windows-1252 or the guess, never throwing', () => {
		const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
		expect(typeof decodeUndeclared(junk)).toBe('string');
	});

	it('KOI8-R body and raw 8-bit subject without any charset (fixture koi8r-undeclared.eml)', async () => {
		const parsed = await parseMessage(fixture('koi8r-undeclared.eml'));
		expect(parsed.subject).toBe('Заказ номер 4711 не доставлен');
		expect(parsed.text).toContain('Мой заказ номер 4711 до сих пор не доставлен.');
		expect(parsed.text).toContain('Иван Петров');
		expect(parsed.text).not.toContain('\ufffd');
	});

	it('US-ASCII declared but Latin-1 bytes, 8-bit display name (fixture latin1-declared-us-ascii.eml)', async () => {
		const parsed = await parseMessage(fixture('latin1-declared-us-ascii.eml'));
		expect(parsed.from).toEqual({ address: 'juergen@example.de', name: 'Jürgen Müßig' });
		expect(parsed.text).toContain('bitte prüfen Sie die Rechnung für März.');
		expect(parsed.text).toContain('Grüßen aus Köln');
	});

	it('the detector reads a bounded sample per mail, however many undeclared parts it has', async () => {
		const part = iconv.encode(RUSSIAN.repeat(200), 'koi8-r'); // ~19 KB of 8-bit text
		const lines = [
			'From: a@example.com',
			'Subject: many',
			'Content-Type: multipart/mixed; boundary=b',
		];
		const chunks: Buffer[] = [Buffer.from(lines.join('\r\n') + '\r\n\r\n')];
		for (let i = 0; i < 60; i++) {
			chunks.push(
				Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\n'),
				part,
				Buffer.from('\r\n'),
			);
		}
		chunks.push(Buffer.from('--b--\r\n'));
		const analyse = jest.spyOn(chardet, 'analyse');
		try {
			const parsed = await parseMessage(Buffer.concat(chunks));
			const sampled = analyse.mock.calls.reduce((sum, [bytes]) => sum + bytes.length, 0);
			expect(sampled).toBeLessThanOrEqual(MAX_CHARSET_SAMPLE_BYTES_PER_MAIL);
			expect(analyse.mock.calls.length).toBeGreaterThan(0);
			expect(analyse.mock.calls.length).toBeLessThan(60);
			// the parts after the budget are read in the charset found before
			expect(parsed.text.split(RUSSIAN.repeat(200)).length - 1).toBe(60);
		} finally {
			analyse.mockRestore();
		}
	});

	it('a declared charset wins: UTF-8 declared stays UTF-8 even when a byte is broken', async () => {
		const raw = Buffer.concat([
			Buffer.from(
				'From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n',
			),
			Buffer.from('Grüße ', 'utf8'),
			Buffer.from([0xe4]),
			Buffer.from('\r\n'),
		]);
		const parsed = await parseMessage(raw);
		expect(parsed.text).toBe('Grüße \ufffd\n');
	});

	it('ISO-2022-JP declared: 7-bit decoded as declared, 8-bit bytes (EUC-JP) detected (sisimai ezweb)', async () => {
		const head = (charset: string) =>
			Buffer.from(
				`From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=${charset}\r\n\r\n`,
			);
		const iso2022 = Buffer.from('GyRCJUYlOSVIGyhC', 'base64'); // テスト
		expect((await parseMessage(Buffer.concat([head('iso-2022-jp'), iso2022]))).text).toBe('テスト');
		const japanese =
			'次のあて先へのメッセージはエラーのため送信できませんでした。送信先メールアドレスが見つかりませんでした。メールアドレスをご確認の上、再送信してください。';
		const eucJp = iconv.encode(japanese, 'euc-jp');
		expect((await parseMessage(Buffer.concat([head('ISO-2022-JP'), eucJp]))).text).toBe(japanese);
	});

	it('a declared legacy charset is decoded as declared, not guessed', async () => {
		const raw = Buffer.concat([
			Buffer.from(
				'From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-5\r\n\r\n',
			),
			iconv.encode(RUSSIAN, 'iso-8859-5'),
		]);
		expect((await parseMessage(raw)).text).toBe(RUSSIAN);
	});
});

describe('text from HTML when there is no text part', () => {
	it('HTML in multipart/related inside multipart/mixed, Windows-1251 undeclared (fixture, mailparser#398)', async () => {
		const parsed = await parseMessage(fixture('windows1251-html-related-undeclared.eml'));
		expect(parsed.subject).toBe('Счет на оплату');
		expect(parsed.html).toContain('<p>Добрый день!</p>');
		expect(parsed.text).toBe(
			'Добрый день!\nСчёт на оплату во вложении. Пожалуйста, подтвердите получение.\nСпасибо, Ольга',
		);
		expect(parsed.attachments.map((a) => a.filename)).toEqual(['logo.png', 'schet.pdf']);
	});

	it('HTML alone in multipart/alternative (mailparser#345)', async () => {
		const raw = Buffer.from(
			[
				'From: a@example.com',
				'Subject: Multipart alternative, HTML only',
				'Content-Type: multipart/alternative; boundary=b1',
				'',
				'--b1',
				'Content-Type: text/html; charset=utf-8',
				'',
				'<span>Kunde = Muster GmbH</span>',
				'--b1--',
				'',
			].join('\r\n'),
		);
		expect((await parseMessage(raw)).text).toBe('Kunde = Muster GmbH');
	});

	it('a mail that is only HTML gets our conversion: long Field lines stay one line, headings keep case', async () => {
		const field = `Beschreibung = ${'Die Anlage meldet seit Montag einen Druckabfall '.repeat(3).trim()}`;
		const raw = Buffer.from(
			[
				'From: a@example.com',
				'Subject: HTML only',
				'Content-Type: text/html; charset=utf-8',
				'',
				`<h1>Störung Halle 3</h1><p>${field}</p>`,
				'',
			].join('\r\n'),
		);
		expect((await parseMessage(raw)).text).toBe(`Störung Halle 3\n${field}`);
	});

	it('a text part keeps its text (the HTML beside it is not converted on top)', async () => {
		const raw = Buffer.from(
			[
				'From: a@example.com',
				'Subject: both',
				'Content-Type: multipart/alternative; boundary=b1',
				'',
				'--b1',
				'Content-Type: text/plain; charset=utf-8',
				'',
				'plain version',
				'--b1',
				'Content-Type: text/html; charset=utf-8',
				'',
				'<p>html version</p>',
				'--b1--',
				'',
			].join('\r\n'),
		);
		expect((await parseMessage(raw)).text).toBe('plain version');
	});
});

describe('boundaries that end in whitespace', () => {
	it('parses every part and keeps the resembling line as text (fixture boundary-trailing-space.eml)', async () => {
		const parsed = await parseMessage(fixture('boundary-trailing-space.eml'));
		expect(parsed.text).toBe(
			'First line\n--part-1 \nThis line follows a line that only resembles the boundary.\n\nSecond part',
		);
		expect(parsed.text).not.toContain('epilogue');
	});

	it('leaves a message without such a boundary byte for byte as it is', () => {
		const raw = Buffer.from(
			'Content-Type: multipart/mixed; boundary="a b"\r\n\r\n--a b\r\n\r\nx\r\n--a b--\r\n',
		);
		expect(withUsableBoundaries(raw)).toBe(raw);
	});

	it('rewrites only exact delimiter lines (with padding), in linear time for many lines', () => {
		const head = 'Content-Type: multipart/mixed; boundary="q  "\r\n\r\n';
		const body = '--q  \r\n\r\nx\r\n--q \r\n--q   \t\r\n--q  --  \r\n';
		const out = withUsableBoundaries(Buffer.from(head + body)).toString('latin1');
		const token = /boundary="([^"]+)"/.exec(out)?.[1] ?? '';
		expect(token).toMatch(/^mailcases_[0-9a-f]{32}$/);
		expect(out.split('\r\n').slice(2)).toEqual([
			`--${token}`,
			'',
			'x',
			'--q ',
			`--${token}`,
			`--${token}--`,
			'',
		]);
		const many = Buffer.from(head + '--q \r\n'.repeat(200_000));
		expect(withUsableBoundaries(many).length).toBe(many.length + token.length - 3);
	});
});
