import { decodeCharset, decodeEncodedWords } from '../../../lib/mail/encoded-words';
import { cleanSubject } from '../../../lib/mail/subject';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/**
 * R-PLUS-6: the one RFC 2047 decoder (lib/mail/encoded-words.ts), used by the header parse and
 * by subject cleaning alike.
 */
describe('encoded words', () => {
	it.each([
		['=?UTF-8?Q?Abwesenheitsnotiz?=', 'Abwesenheitsnotiz'],
		['=?utf-8?q?Gr=C3=BC=C3=9Fe?=', 'Grüße'],
		['=?ISO-8859-1?Q?Gr=FC=DFe_aus_M=FCnchen?=', 'Grüße aus München'],
		['=?windows-1252?Q?=80_100?=', '€ 100'],
		['=?ISO-8859-15?Q?=A4?=', '€'],
		['=?UTF-8?B?' + b64('Größe') + '?=', 'Größe'],
		['=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=', '日本語'],
		// whitespace between two encoded words disappears, around plain text it stays
		['=?UTF-8?Q?Auto?= =?UTF-8?Q?matische_Antwort?=', 'Automatische Antwort'],
		['AW: =?UTF-8?Q?R=C3=BCckfrage?= zu Fall', 'AW: Rückfrage zu Fall'],
		// a two-byte character split across two words
		['=?UTF-8?Q?M=C3?= =?UTF-8?Q?=BCller?=', 'Müller'],
		// RFC 2231 language suffix
		['=?UTF-8*de?Q?T=C3=BCr?=', 'Tür'],
		['no encoded words =? here', 'no encoded words =? here'],
		// raw non-ASCII inside a Q word (broken encoders) is kept
		['=?UTF-8?Q?Gr=C3=BC=C3=9Fe_😀?=', 'Grüße 😀'],
	])('%s → %s', (input, expected) => {
		expect(decodeEncodedWords(input)).toBe(expected);
	});

	test('adjacent encoded words are joined without the whitespace between them', () => {
		expect(decodeEncodedWords('=?UTF-8?Q?Gr=C3=BC?= =?UTF-8?Q?=C3=9Fe?= und mehr')).toBe(
			'Grüße und mehr',
		);
	});

	test('a multi-byte character split across two words is decoded', () => {
		// "ü" = C3 BC, split between the two words
		expect(decodeEncodedWords('=?UTF-8?B?R3LD?= =?UTF-8?B?vA==?=')).toBe('Grü');
	});

	test('words in different charsets next to each other', () => {
		expect(decodeEncodedWords('=?ISO-8859-1?Q?=E4?= =?UTF-8?Q?=C3=B6?=')).toBe('äö');
	});

	test('plain text between encoded words is kept', () => {
		expect(decodeEncodedWords('Re: =?UTF-8?Q?M=C3=BCller?= GmbH')).toBe('Re: Müller GmbH');
	});

	test('windows-1252, KOI8-R and Shift_JIS', () => {
		expect(decodeEncodedWords('=?windows-1252?Q?=80_5?=')).toBe('€ 5');
		expect(decodeEncodedWords('=?KOI8-R?B?8NLJ18XU?=')).toBe('Привет');
		expect(decodeEncodedWords('=?Shift_JIS?B?g2WDWINn?=')).toBe('テスト');
	});
});

describe('encoded words that do not follow the RFC', () => {
	test('unknown charset: the bytes are read as UTF-8 when valid, else as Windows-1252', () => {
		expect(decodeEncodedWords('=?x-unknown?Q?caf=C3=A9?=')).toBe('café');
		expect(decodeEncodedWords('=?X-UNKNOWN?Q?abc?=')).toBe('abc');
		expect(decodeEncodedWords('=?no-such-charset?Q?Gr=FC=DFe?=')).toBe('Grüße');
		expect(decodeEncodedWords('=?x-unknown?B?' + b64('Größe') + '?=')).toBe('Größe');
		expect(decodeCharset(Buffer.from([0x80, 0x20, 0x35]), 'bogus')).toBe('€ 5');
	});

	test('charset spellings without x- or dashes are understood', () => {
		expect(decodeEncodedWords('=?x-koi8-r?B?8NLJ18XU?=')).toBe('Привет');
		expect(decodeEncodedWords('=?UTF_8?Q?=C3=BC?=')).toBe('ü');
	});

	test('the header parse and subject cleaning decode an unknown charset alike', () => {
		const subject = '=?x-unknown?Q?Gr=C3=BC=C3=9Fe?= =?x-unknown?Q?_aus_Bonn?=';
		expect(decodeEncodedWords(subject)).toBe('Grüße aus Bonn');
		expect(cleanSubject(subject)).toBe('Grüße aus Bonn');
	});

	test('broken base64 stays as written; its neighbours are decoded', () => {
		expect(decodeEncodedWords('=?UTF-8?B?###?=')).toBe('=?UTF-8?B?###?=');
		expect(decodeEncodedWords('=?UTF-8?B?w6Q=w6Q=?=')).toBe('=?UTF-8?B?w6Q=w6Q=?=');
		expect(decodeEncodedWords('a =?UTF-8?B?###?= b =?UTF-8?B?w6Q=?=')).toBe(
			'a =?UTF-8?B?###?= b ä',
		);
		// base64 without its padding is still base64
		expect(decodeEncodedWords('=?UTF-8?B?w6Q?=')).toBe('ä');
	});

	test('broken quoted-printable: a lone = or bad hex is taken as written', () => {
		expect(decodeEncodedWords('=?UTF-8?Q?100=_Rabatt?=')).toBe('100= Rabatt');
		expect(decodeEncodedWords('=?UTF-8?Q?=ZZ=C3=A4?=')).toBe('=ZZä');
		expect(decodeEncodedWords('=?ISO-8859-1?Q?=E?=')).toBe('=E');
	});

	test('adjacent words: blanks, tabs and folded line breaks between them disappear', () => {
		expect(decodeEncodedWords('=?UTF-8?Q?a?=\t=?UTF-8?Q?b?=')).toBe('ab');
		expect(decodeEncodedWords('=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=')).toBe('ab');
		expect(decodeEncodedWords('=?UTF-8?Q?a?= x =?UTF-8?Q?b?=')).toBe('a x b');
		// a character split across two adjacent words of an unknown charset survives too
		expect(decodeEncodedWords('=?x-unknown?Q?M=C3?= =?x-unknown?Q?=BCller?=')).toBe('Müller');
		// next to a broken word the whitespace is plain text and stays
		expect(decodeEncodedWords('=?UTF-8?B?###?= =?UTF-8?Q?b?=')).toBe('=?UTF-8?B?###?= b');
	});
});
