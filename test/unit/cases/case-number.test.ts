import {
	extractCaseNumbers,
	findCaseNumbers,
	isCaseNumber,
	subjectReference,
	withCaseReference,
} from '../../../lib/cases/case-number';
import { MailCasesError } from '../../../lib/errors';

describe('R-PROC-1: case numbers in subjects — reference form', () => {
	test.each([
		['[#2026-000123] Ihre Anfrage', ['2026-000123']],
		['Ihre Anfrage [#2026-000123]', ['2026-000123']],
		['[ # 2026-000123 ] spaced', ['2026-000123']],
		['[#2026-1234567] sequence grew past six digits', ['2026-1234567']],
		['[#2026–000123] en dash typed by autocorrect', ['2026-000123']],
		['[#2026‑000123] non-breaking hyphen', ['2026-000123']],
		['［#２０２６-０００１２３］ full-width', ['2026-000123']],
	])('%s', (subject, expected) => {
		expect(extractCaseNumbers(subject)).toEqual(expected);
	});

	test('reference found after many reply/forward prefixes and gateway tags', () => {
		for (const prefix of [
			'Re: ',
			'AW: ',
			'WG: ',
			'Fwd: ',
			'Antw: ',
			'SV: ',
			'[EXTERNAL] ',
			'RE: AW: WG: ',
			'Re[2]: ',
			'AW: [EXTERNAL] Fwd: ',
			'TR : ',
			'Re:Re:',
		]) {
			expect(extractCaseNumbers(`${prefix}[#2026-000123] Reklamation`)).toEqual(['2026-000123']);
		}
	});

	test('the bracket reference is found even glued to an address (it cannot be mistaken)', () => {
		expect(extractCaseNumbers('Anfrage von max@firma.example[#2026-000123]')).toEqual([
			'2026-000123',
		]);
	});

	test('reference with fewer digits than the sequence width is not a case number', () => {
		expect(extractCaseNumbers('[#2026-00012] short')).toEqual([]);
	});

	test('references are found in RFC 2047 encoded subjects', () => {
		expect(extractCaseNumbers('=?UTF-8?B?QVc6IFsjMjAyNi0wMDAxMjNdIFLDvGNrZnJhZ2U=?=')).toEqual([
			'2026-000123',
		]);
		expect(extractCaseNumbers('=?ISO-8859-1?Q?AW:_[#2026-000123]_R=FCckfrage?=')).toEqual([
			'2026-000123',
		]);
	});
});

describe('R-PROC-1: case numbers in subjects — keyword forms', () => {
	test.each([
		['Vorgang 2026-000123', '2026-000123'],
		['Vorgang Nr. 2026-000123', '2026-000123'],
		['Vorgang-Nr.: 2026-000123', '2026-000123'],
		['Vorgangsnummer: 2026-000123', '2026-000123'],
		['Vorgangsnummer 2026-000123 – Rückfrage', '2026-000123'],
		['Case 2026-000123', '2026-000123'],
		['Case #2026-000123', '2026-000123'],
		['case no. 2026-000123', '2026-000123'],
		['CASE ID: 2026-000123', '2026-000123'],
		['Ticket#2026-000123', '2026-000123'],
		['[Ticket#2026-000123] Drucker', '2026-000123'],
		['Ticket-Nr. 2026-000123', '2026-000123'],
		['Fall 2026-000123', '2026-000123'],
		['Anfrage 2026-000123', '2026-000123'],
		['Ref: 2026-000123', '2026-000123'],
		['#2026-000123 bitte prüfen', '2026-000123'],
		['Vorgang 2026-1234567 (grew past 999999)', '2026-1234567'],
		['AW: WG: Vorgang 2026-000123', '2026-000123'],
		['Vorgang 2026-000123.', '2026-000123'],
		['(Vorgang 2026-000123)', '2026-000123'],
		['Vorgang 2026-000123, Rückruf', '2026-000123'],
	])('%s', (subject, expected) => {
		expect(extractCaseNumbers(subject)).toEqual([expected]);
	});

	test('extra keywords can be configured', () => {
		expect(extractCaseNumbers('Reklamation 2026-0001234', { bare: false })).toEqual([]);
		expect(extractCaseNumbers('Reklamation 2026-0001234', { keywords: ['Reklamation'] })).toEqual([
			'2026-0001234',
		]);
	});

	test('keyword forms never take fewer digits than the width', () => {
		expect(extractCaseNumbers('Vorgang 2026-12345')).toEqual([]);
	});
});

describe('R-PROC-1: bare numbers (no keyword, no bracket) only when they match the format exactly', () => {
	test('a word-bounded number of exactly the format is a candidate', () => {
		expect(findCaseNumbers('Rückfrage zu 2026-000123 von gestern')).toEqual([
			{
				number: '2026-000123',
				kind: 'bare',
				index: 13,
				text: '2026-000123',
				signature: 'unsigned',
			},
		]);
	});

	test('bare numbers can be switched off', () => {
		expect(extractCaseNumbers('Rückfrage zu 2026-000123', { bare: false })).toEqual([]);
	});

	test.each([
		['more digits than the width', 'Rückfrage 2026-0001234567'],
		['implausible year (area code)', 'Rückruf 0211-123456'],
		['date', 'Termin am 2026-11-29'],
		['German date', 'Termin am 29.11.2026'],
		['ISO timestamp', 'Export 2026-11-29T10:00:00Z'],
		['compact timestamp', 'Backup 20261129T100000'],
		['inside a longer digit run', 'Ref 12026-000123'],
		['continued by another group', 'Seriennummer 2026-000123-45'],
		['continued by a dot and digit', 'Version 2026-000123.5'],
		['glued to letters on the left', 'ABC2026-000123'],
		['glued to letters on the right', '2026-000123abc'],
		['inside a URL', 'Siehe https://portal.example/vorgang/2026-000123'],
		['inside a www URL', 'Siehe www.example.de/2026-000123'],
		['inside an e-mail address', 'Von 2026-000123@kunde.example'],
		['in a file name', 'Scan 2026-000123.pdf'],
		['order number', 'Bestellung 2026-000123'],
		['order number with Nr.', 'Ihre Bestellnummer: 2026-000123'],
		['order (English)', 'Your order 2026-000123 has shipped'],
		['invoice', 'Rechnung 2026-000123'],
		['invoice number', 'Invoice no. 2026-000123'],
		['customer number', 'Kundennummer 2026-000123'],
		['phone', 'Tel. 2026-123456'],
		['phone with country code', 'Rückruf +49 2026-123456'],
		['order with hash', 'Bestellung #2026-000123'],
		['negative number', 'Saldo -2026-000123'],
	])('rejects %s', (_what, subject) => {
		expect(extractCaseNumbers(subject)).toEqual([]);
	});

	test('a keyword wins over a nearby order word', () => {
		expect(extractCaseNumbers('Bestellung 4711 – Vorgang 2026-000123')).toEqual(['2026-000123']);
	});

	test('formats without a non-digit literal never match bare (postcodes, amounts)', () => {
		expect(extractCaseNumbers('Lieferung nach 80331 München', { format: '{SEQ:5}' })).toEqual([]);
		expect(extractCaseNumbers('[#00042] Frage', { format: '{SEQ:5}' })).toEqual(['00042']);
		expect(extractCaseNumbers('Vorgang 00042', { format: '{SEQ:5}' })).toEqual(['00042']);
	});
});

describe('R-PROC-1: several candidates and order', () => {
	test('strongest form first, then subject order, without duplicates', () => {
		const subject =
			'AW: 2026-000001 und Vorgang 2026-000002 [#2026-000003] [#2026-000003] Vorgang 2026-000001';
		expect(findCaseNumbers(subject).map((m) => [m.number, m.kind])).toEqual([
			['2026-000003', 'reference'],
			['2026-000002', 'keyword'],
			['2026-000001', 'keyword'],
		]);
	});

	test('two references keep their order', () => {
		expect(extractCaseNumbers('[#2026-000010] Fwd: [#2025-000999]')).toEqual([
			'2026-000010',
			'2025-000999',
		]);
	});

	test('hostile subjects (address-like runs, very long) still give the right answer', () => {
		expect(extractCaseNumbers(`${'a@'.repeat(1500)} Vorgang 2026-000123`)).toEqual(['2026-000123']);
		expect(extractCaseNumbers(`${'Vorgang Nr. '.repeat(300)}2026-000123`)).toEqual(['2026-000123']);
		expect(extractCaseNumbers(`${'x'.repeat(5000)} [#2026-000123]`)).toEqual([]); // beyond MAX_SUBJECT_SCAN
	});

	test('empty, null and undefined subjects give no candidates', () => {
		expect(extractCaseNumbers('')).toEqual([]);
		expect(extractCaseNumbers(null)).toEqual([]);
		expect(extractCaseNumbers(undefined)).toEqual([]);
	});

	test('no case number in ordinary subjects', () => {
		for (const s of [
			'Out of office',
			'Abwesenheit bis 29.11.2026',
			'Angebot 2026 – 10% Rabatt',
			'Meeting 10:00-11:00',
			'RE: Frage zu Vorgang',
		]) {
			expect(extractCaseNumbers(s)).toEqual([]);
		}
	});
});

describe('R-PROC-1: other case number formats', () => {
	test('two-digit year and a letter prefix, canonical spelling returned', () => {
		const format = 'VG-{YY}/{SEQ:4}';
		expect(extractCaseNumbers('[#VG-26/0042] Frage', { format })).toEqual(['VG-26/0042']);
		expect(extractCaseNumbers('Rückfrage vg-26/0042', { format })).toEqual(['VG-26/0042']);
		expect(extractCaseNumbers('Vorgang VG–26/00042', { format })).toEqual(['VG-26/00042']);
	});

	test('format without year', () => {
		expect(extractCaseNumbers('Ticket#T-000017', { format: 'T-{SEQ:6}' })).toEqual(['T-000017']);
	});

	test('an invalid format is reported', () => {
		expect(() => extractCaseNumbers('x', { format: '{YYYY}' })).toThrow(MailCasesError);
	});

	test('isCaseNumber uses the format (width or more digits)', () => {
		expect(isCaseNumber('2026-000123')).toBe(true);
		expect(isCaseNumber('2026-1234567')).toBe(true);
		expect(isCaseNumber('2026-12345')).toBe(false);
		expect(isCaseNumber(' 2026-000123')).toBe(false);
	});
});

describe('R-PROC-1: user patterns', () => {
	test('a pattern with one capturing group adds candidates after references', () => {
		const patterns = ['Auftrag\\s+(A-\\d{5})'];
		expect(extractCaseNumbers('Auftrag A-12345 / [#2026-000123]', { patterns })).toEqual([
			'2026-000123',
			'A-12345',
		]);
		expect(findCaseNumbers('auftrag a-12345', { patterns })[0]).toMatchObject({
			number: 'a-12345',
			kind: 'pattern',
		});
	});

	test('patterns rank before keyword and bare forms', () => {
		expect(
			extractCaseNumbers('Vorgang 2026-000123 alt: SP-77', { patterns: ['\\b(SP-\\d+)\\b'] }),
		).toEqual(['SP-77', '2026-000123']);
	});

	test('several matches of a pattern, an empty-matching pattern does not loop', () => {
		expect(extractCaseNumbers('X1 X2 X3', { patterns: ['X(\\d)'] })).toEqual(['1', '2', '3']);
		expect(extractCaseNumbers('abc', { patterns: ['(\\d*)'] })).toEqual([]);
	});

	test.each([
		['no group', 'Auftrag \\d+'],
		['two groups', '(Auftrag) (\\d+)'],
		['invalid', 'Auftrag (\\d+'],
		['empty', ''],
	])('rejects a pattern with %s', (_what, pattern) => {
		expect(() => extractCaseNumbers('Auftrag 1', { patterns: [pattern] })).toThrow(
			expect.objectContaining({ code: 'INVALID_INPUT' }),
		);
	});

	test('non-capturing and named-free groups are fine', () => {
		expect(extractCaseNumbers('Case: K-9', { patterns: ['(?:Case|Fall):\\s*(K-\\d+)'] })).toEqual([
			'K-9',
		]);
	});
});

describe('R-PLUS-4: the reference our outgoing subjects carry', () => {
	test('subjectReference', () => {
		expect(subjectReference('2026-000123')).toBe('[#2026-000123]');
	});

	test('subjectReference rejects numbers that would break the subject', () => {
		for (const bad of ['', ' ', '2026-1]x', 'a b', '2026\r\nBcc: x@y', 'x'.repeat(65)]) {
			expect(() => subjectReference(bad)).toThrow(
				expect.objectContaining({ code: 'INVALID_INPUT' }),
			);
		}
	});

	test.each([
		['Ihre Anfrage', '[#2026-000123] Ihre Anfrage'],
		['AW: Ihre Anfrage', 'AW: [#2026-000123] Ihre Anfrage'],
		['Re: [EXTERNAL] Frage', 'Re: [EXTERNAL] [#2026-000123] Frage'],
		['', '[#2026-000123]'],
		['[#2026-000123] Ihre Anfrage', '[#2026-000123] Ihre Anfrage'],
		['AW: [#2026-000123] Ihre Anfrage', 'AW: [#2026-000123] Ihre Anfrage'],
		['Re: Frage [ #2026-000123 ]', 'Re: Frage [ #2026-000123 ]'],
		['Vorgang 2026-000123', '[#2026-000123] Vorgang 2026-000123'],
		['[#2026-000999] other case', '[#2026-000123] [#2026-000999] other case'],
		['Zeile\r\n Bcc: x@example.com', '[#2026-000123] Zeile Bcc: x@example.com'],
	])('withCaseReference(%j)', (subject, expected) => {
		expect(withCaseReference(subject, '2026-000123')).toBe(expected);
	});

	test('adding the reference twice changes nothing, and it is found again', () => {
		const once = withCaseReference('Reklamation Müller', '2026-000123');
		expect(withCaseReference(once, '2026-000123')).toBe(once);
		expect(extractCaseNumbers(`AW: ${once}`)).toEqual(['2026-000123']);
	});
});
