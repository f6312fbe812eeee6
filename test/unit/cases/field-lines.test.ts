import {
	bodyText,
	fieldLines,
	parseFieldLines,
	parseFieldLinesLoose,
} from '../../../lib/cases/field-lines';
import type { FieldDef } from '../../../lib/cases/field-values';

const lines = (...l: string[]) => l.join('\n');

const FORM: FieldDef[] = [
	{ name: 'Name', type: 'text' },
	{ name: 'Vorname' },
	{ name: 'Straße', type: 'text', aliases: ['Strasse'] },
	{ name: 'Formel', type: 'text' },
	{ name: 'Betrag', type: 'number' },
	{ name: 'Liefertermin', type: 'date' },
	{ name: 'Rückruf erwünscht', type: 'boolean' },
	{ name: 'Bemerkung', type: 'text', maxLength: 20 },
];

describe('R-PROC-5: Field = Value lines', () => {
	test('the example of the spec: Name = Mustermann', () => {
		expect(parseFieldLines('Name = Mustermann', { knownFields: FORM }).fields).toEqual({
			Name: 'Mustermann',
		});
	});

	test.each([
		['Name = Mustermann'],
		['Name=Mustermann'],
		['Name =Mustermann'],
		['Name= Mustermann'],
		['   Name   =   Mustermann   '],
		['\tName\t=\tMustermann'],
		['- Name = Mustermann'],
		['* Name = Mustermann'],
		['• Name = Mustermann'],
		['1. Name = Mustermann'],
	])('spacing and bullets: %j', (line) => {
		expect(parseFieldLinesLoose(line)).toEqual({ Name: 'Mustermann' });
	});

	test('"=" inside the value is kept', () => {
		expect(parseFieldLinesLoose('Formel = a=b')).toEqual({ Formel: 'a=b' });
		expect(parseFieldLinesLoose('Formel==x')).toEqual({ Formel: '=x' });
		expect(parseFieldLinesLoose('Link = https://example.com/?a=1&b=2')).toEqual({
			Link: 'https://example.com/?a=1&b=2',
		});
	});

	test('R-PLUS-6: umlauts and ß in names and values', () => {
		const text = lines(
			'Straße = Hauptstraße 5',
			'Rückruf erwünscht = ja',
			'Größe = 42',
			'Ärger = Übermäßig',
			'Имя = Иван',
			'名前 = 山田',
		);
		expect(parseFieldLinesLoose(text)).toEqual({
			Straße: 'Hauptstraße 5',
			'Rückruf erwünscht': 'ja',
			Größe: '42',
			Ärger: 'Übermäßig',
			Имя: 'Иван',
			名前: '山田',
		});
	});

	test('R-PLUS-6: decomposed umlauts (NFD) match composed field names', () => {
		expect(parseFieldLines('Name = Mu\u0308ller', { knownFields: FORM }).fields).toEqual({
			Name: 'M\u00fcller',
		});
		expect(
			parseFieldLines('Ru\u0308ckruf erwu\u0308nscht = ja', { knownFields: FORM }).fields,
		).toEqual({ 'Rückruf erwünscht': 'true' });
	});

	test('lines that are no field lines are ignored', () => {
		const text = lines(
			'Sehr geehrte Damen und Herren,',
			'',
			'bitte ändern Sie folgendes:',
			'Name = Mustermann',
			'Ich hoffe, dass x = y ist.',
			'5 = 5',
			'= nur Wert',
			'Ein sehr langer Satz mit vielen Wörtern = Wert',
			'Hinweis: bitte beachten',
			'10:30 Uhr = Termin',
			'Mit freundlichen Grüßen',
		);
		expect(parseFieldLinesLoose(text)).toEqual({ Name: 'Mustermann' });
	});

	test('names may contain digits, spaces, and _ - . / ( ) & + #', () => {
		const text = lines(
			'Kunden-Nr. = 4711',
			'PLZ/Ort = 50667 Köln',
			'Preis (netto) = 10',
			'A&B = x',
			'Feld_2 = y',
			'C++ = z',
			'Ticket# = 1',
		);
		expect(Object.keys(parseFieldLinesLoose(text))).toEqual([
			'Kunden-Nr.',
			'PLZ/Ort',
			'Preis (netto)',
			'A&B',
			'Feld_2',
			'C++',
			'Ticket#',
		]);
	});

	test('names longer than 64 characters or with more than six words are no field names', () => {
		expect(parseFieldLinesLoose(`${'N'.repeat(65)} = x`)).toEqual({});
		expect(parseFieldLinesLoose(`${'N'.repeat(64)} = x`)).toEqual({ ['N'.repeat(64)]: 'x' });
		expect(parseFieldLinesLoose('eins zwei drei vier fünf sechs = x')).toEqual({
			'eins zwei drei vier fünf sechs': 'x',
		});
		expect(parseFieldLinesLoose('eins zwei drei vier fünf sechs sieben = x')).toEqual({});
	});

	test('whitespace runs in names count as one space', () => {
		expect(parseFieldLines('Rückruf   erwünscht = nein', { knownFields: FORM }).fields).toEqual({
			'Rückruf erwünscht': 'false',
		});
	});

	test('the last occurrence of a field wins', () => {
		expect(parseFieldLinesLoose(lines('Name = Erster', 'Ort = Köln', 'Name = Zweiter'))).toEqual({
			Name: 'Zweiter',
			Ort: 'Köln',
		});
	});

	test('last wins also over errors: an invalid last value leaves the field unset', () => {
		const r = parseFieldLines(lines('Betrag = 10', 'Betrag = zehn'), { knownFields: FORM });
		expect(r.fields).toEqual({});
		expect(r.invalid).toEqual([{ field: 'Betrag', value: 'zehn', reason: 'not a number' }]);
		const r2 = parseFieldLines(lines('Betrag = zehn', 'Betrag = 10'), { knownFields: FORM });
		expect(r2.fields).toEqual({ Betrag: '10' });
		expect(r2.invalid).toEqual([]);
	});

	test('an empty value clears the field', () => {
		expect(parseFieldLines('Name =', { knownFields: FORM }).fields).toEqual({ Name: '' });
		expect(parseFieldLines('Betrag = ', { knownFields: FORM }).fields).toEqual({ Betrag: '' });
	});

	test('CRLF and CR line endings', () => {
		expect(parseFieldLinesLoose('Name = A\r\nOrt = B\rPLZ = C')).toEqual({
			Name: 'A',
			Ort: 'B',
			PLZ: 'C',
		});
	});
});

describe('R-PROC-5: separators', () => {
	test("':' is not a separator by default", () => {
		expect(parseFieldLinesLoose('Name: Mustermann')).toEqual({});
	});

	test("':' can be enabled; the first separator on the line ends the name", () => {
		const text = lines(
			'Name: Mustermann',
			'Ort = Köln',
			'Zeit: 10=20',
			'Formel = a:b',
			'Web: https://example.com',
			'https://example.com/x',
		);
		expect(parseFieldLinesLoose(text, { separators: ['=', ':'] })).toEqual({
			Name: 'Mustermann',
			Ort: 'Köln',
			Zeit: '10=20',
			Formel: 'a:b',
			Web: 'https://example.com',
		});
	});

	test("only ':' when asked", () => {
		expect(parseFieldLinesLoose(lines('Name: A', 'Ort = B'), { separators: [':'] })).toEqual({
			Name: 'A',
		});
	});

	test('fieldLines lists raw lines in order', () => {
		expect(fieldLines(lines('a = 1', 'x', 'b=2', 'a = 3'))).toEqual([
			{ name: 'a', value: '1' },
			{ name: 'b', value: '2' },
			{ name: 'a', value: '3' },
		]);
	});
});

describe('R-PROC-5: quoted reply text is not parsed', () => {
	test('lines starting with > are ignored', () => {
		expect(parseFieldLinesLoose(lines('Name = Neu', '> Name = Alt', '> Ort = Alt'))).toEqual({
			Name: 'Neu',
		});
	});

	test.each([
		['Am 29.11.2026 um 10:00 schrieb Service <service@example.com>:'],
		['On Mon, Nov 29, 2026 at 10:00 AM Service <service@example.com> wrote:'],
		['-----Original Message-----'],
		['-----Ursprüngliche Nachricht-----'],
	])('nothing after %j', (attribution) => {
		const text = lines('Name = Neu', '', attribution, 'Ort = Alt', 'Name = Alt');
		expect(parseFieldLinesLoose(text)).toEqual({ Name: 'Neu' });
	});

	test('nothing after an Outlook header block', () => {
		const text = lines(
			'Ort = Köln',
			'Von: Service',
			'Gesendet: Montag, 29. November 2026 10:00',
			'An: Max',
			'Betreff: Vorgang',
			'Name = Alt',
		);
		expect(parseFieldLines(text, { separators: ['=', ':'], knownFields: FORM }).fields).toEqual({});
		expect(parseFieldLinesLoose(text)).toEqual({ Ort: 'Köln' });
	});

	test('the signature after "-- " is ignored', () => {
		expect(
			parseFieldLinesLoose(lines('Name = Neu', '-- ', 'Telefon = 0221 123', 'Firma = X GmbH')),
		).toEqual({ Name: 'Neu' });
	});

	test('quoted text can be included on request', () => {
		expect(
			parseFieldLinesLoose(lines('Name = Neu', '-- ', 'Firma = X'), { includeQuoted: true }),
		).toEqual({ Name: 'Neu', Firma: 'X' });
	});
});

describe('R-PROC-5: HTML-only mails', () => {
	test('HTML is converted to text first', () => {
		const html =
			'<div>Hallo,</div><div>Name = M&uuml;ller</div><p>Stra&szlig;e = Hauptstra&szlig;e 5</p>';
		expect(parseFieldLines({ html }, { knownFields: FORM }).fields).toEqual({
			Name: 'Müller',
			Straße: 'Hauptstraße 5',
		});
	});

	test('the text part wins when it has content; an empty text part falls back to HTML', () => {
		expect(parseFieldLinesLoose({ text: 'Name = Text', html: '<p>Name = Html</p>' })).toEqual({
			Name: 'Text',
		});
		expect(parseFieldLinesLoose({ text: '  \n', html: '<p>Name = Html</p>' })).toEqual({
			Name: 'Html',
		});
		expect(parseFieldLinesLoose({ text: null, html: null })).toEqual({});
		expect(bodyText(undefined)).toBe('');
	});

	test('HTML blockquotes and Gmail quote blocks are not parsed', () => {
		const html =
			'<div dir="ltr">Name = Neu</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Am Mo., 29. Nov. 2026 um 10:00 Uhr schrieb Service &lt;service@example.com&gt;:<br></div>' +
			'<blockquote class="gmail_quote">Name = Alt<br>Ort = Alt</blockquote></div>';
		expect(parseFieldLinesLoose({ html })).toEqual({ Name: 'Neu' });
	});

	test('HTML Outlook reply with a header block', () => {
		const html =
			'<p>Ort = Köln</p><div id="divRplyFwdMsg"><hr><b>Von:</b> Service &lt;service@example.com&gt;<br><b>Gesendet:</b> Montag, 29. November 2026 10:00<br>' +
			'<b>An:</b> Max<br><b>Betreff:</b> AW: [#2026-000123]</div><p>Name = Alt</p>';
		expect(parseFieldLinesLoose({ html })).toEqual({ Ort: 'Köln' });
	});

	test('&nbsp; around the separator and table layouts', () => {
		const html =
			'<table><tr><td>Name&nbsp;</td><td>=&nbsp;Müller</td></tr><tr><td>Betrag</td><td>= 1.234,56</td></tr></table>';
		expect(parseFieldLines({ html }, { knownFields: FORM }).fields).toEqual({
			Name: 'Müller',
			Betrag: '1234.56',
		});
	});
});

describe('R-PROC-5: validation against the case form', () => {
	test('types are checked and values normalised', () => {
		const text = lines(
			'Betrag = 1.234,56',
			'Liefertermin = 29.11.2026',
			'Rückruf erwünscht = Ja',
			'Bemerkung = kurz',
		);
		const r = parseFieldLines(text, { knownFields: FORM });
		expect(r).toEqual({
			fields: {
				Betrag: '1234.56',
				Liefertermin: '2026-11-29',
				'Rückruf erwünscht': 'true',
				Bemerkung: 'kurz',
			},
			unknown: [],
			invalid: [],
			rejected: [],
		});
	});

	test('invalid values are reported with field, value and reason and not set', () => {
		const text = lines(
			'Betrag = zwölf',
			'Liefertermin = 31.02.2026',
			'Rückruf erwünscht = vielleicht',
			'Bemerkung = viel zu lange Bemerkung hier',
			'Name = Ok',
		);
		const r = parseFieldLines(text, { knownFields: FORM });
		expect(r.fields).toEqual({ Name: 'Ok' });
		expect(r.invalid.map((i) => [i.field, i.value])).toEqual([
			['Betrag', 'zwölf'],
			['Liefertermin', '31.02.2026'],
			['Rückruf erwünscht', 'vielleicht'],
			['Bemerkung', 'viel zu lange Bemerkung hier'],
		]);
		for (const i of r.invalid) expect(i.reason.length).toBeGreaterThan(3);
	});

	test('ambiguous numbers are invalid unless a decimal separator is configured', () => {
		expect(parseFieldLines('Betrag = 1.500', { knownFields: FORM }).invalid[0]?.reason).toMatch(
			/ambiguous/,
		);
		expect(
			parseFieldLines('Betrag = 1.500', { knownFields: FORM, decimalSeparator: ',' }).fields,
		).toEqual({ Betrag: '1500' });
	});

	test('unknown fields are reported (as written, once) and never created', () => {
		const r = parseFieldLines(lines('Name = A', 'Farbe = rot', 'Farbe = blau', 'Größe = 3'), {
			knownFields: FORM,
		});
		expect(r.fields).toEqual({ Name: 'A' });
		expect(r.unknown).toEqual(['Farbe', 'Größe']);
	});

	test('field names match exactly by default', () => {
		const r = parseFieldLines(lines('name = a', 'NAME = b', 'STRASSE = c'), { knownFields: FORM });
		expect(r.fields).toEqual({});
		expect(r.unknown).toEqual(['name', 'NAME', 'STRASSE']);
	});

	test('case-insensitive matching with Unicode case folding; result uses the form spelling', () => {
		const r = parseFieldLines(lines('name = a', 'STRASSE = Weg 1', 'rückruf ERWÜNSCHT = nein'), {
			knownFields: FORM,
			caseInsensitive: true,
		});
		expect(r.fields).toEqual({ Name: 'a', Straße: 'Weg 1', 'Rückruf erwünscht': 'false' });
		expect(r.unknown).toEqual([]);
	});

	test('case-insensitive: different spellings of the same field are one field (last wins)', () => {
		const r = parseFieldLines(lines('NAME = a', 'name = b'), {
			knownFields: FORM,
			caseInsensitive: true,
		});
		expect(r.fields).toEqual({ Name: 'b' });
		expect(parseFieldLinesLoose(lines('Ort = a', 'ORT = b'), { caseInsensitive: true })).toEqual({
			Ort: 'b',
		});
		expect(parseFieldLinesLoose(lines('Ort = a', 'ORT = b'))).toEqual({ Ort: 'a', ORT: 'b' });
	});

	test('an exact match is preferred over a case-folded one', () => {
		const form: FieldDef[] = [{ name: 'Code' }, { name: 'CODE' }];
		expect(
			parseFieldLines(lines('CODE = x', 'Code = y'), { knownFields: form, caseInsensitive: true })
				.fields,
		).toEqual({ CODE: 'x', Code: 'y' });
	});

	test('aliases map to the field', () => {
		expect(parseFieldLines('Strasse = Weg 1', { knownFields: FORM }).fields).toEqual({
			Straße: 'Weg 1',
		});
	});

	test('field names that collide with object internals are plain keys', () => {
		const r = parseFieldLinesLoose(lines('constructor = x', 'toString = y'));
		expect(r).toEqual({ constructor: 'x', toString: 'y' });
		expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
		expect(parseFieldLines('constructor = x', { knownFields: FORM }).unknown).toEqual([
			'constructor',
		]);
	});
});

describe('R-PLUS-5: allowed fields', () => {
	test('fields outside allowedFields are rejected, not set', () => {
		const r = parseFieldLines(lines('Name = A', 'Betrag = 5', 'Betrag = 6', 'Farbe = rot'), {
			knownFields: FORM,
			allowedFields: ['Name'],
		});
		expect(r.fields).toEqual({ Name: 'A' });
		expect(r.rejected).toEqual([{ field: 'Betrag', reason: expect.any(String) }]);
		expect(r.unknown).toEqual(['Farbe']);
	});

	test('an empty allow list rejects everything', () => {
		const r = parseFieldLines('Name = A', { knownFields: FORM, allowedFields: [] });
		expect(r.fields).toEqual({});
		expect(r.rejected.map((x) => x.field)).toEqual(['Name']);
	});

	test('allowedFields follows caseInsensitive', () => {
		expect(
			parseFieldLines('name = A', {
				knownFields: FORM,
				allowedFields: ['NAME'],
				caseInsensitive: true,
			}).fields,
		).toEqual({ Name: 'A' });
		expect(
			parseFieldLines('Name = A', { knownFields: FORM, allowedFields: ['NAME'] }).rejected,
		).toHaveLength(1);
	});

	test('without knownFields the allow list applies to the names as written', () => {
		expect(parseFieldLines(lines('Name = A', 'Ort = B'), { allowedFields: ['Ort'] })).toEqual({
			fields: { Ort: 'B' },
			unknown: [],
			invalid: [],
			rejected: [{ field: 'Name', reason: expect.any(String) }],
		});
	});
});

describe('R-PROC-5: values from HTML mail', () => {
	test('non-breaking spaces in values become plain spaces', () => {
		const { parseFieldLinesLoose } = jest.requireActual(
			'../../../lib/cases/field-lines',
		) as typeof import('../../../lib/cases/field-lines');
		expect(parseFieldLinesLoose({ html: '<p>Straße = Hauptstraße&nbsp;1</p>' })).toEqual({
			Straße: 'Hauptstraße 1',
		});
		expect(parseFieldLinesLoose('Name =\u00a0Erika\u00a0Mustermann\u00a0')).toEqual({
			Name: 'Erika Mustermann',
		});
	});
});
