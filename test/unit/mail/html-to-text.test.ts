import { htmlToText } from '../../../lib/mail/html-to-text';

describe('R-PROC-5: htmlToText for HTML-only mails', () => {
	test('paragraphs and line breaks become lines; entities and umlauts decoded', () => {
		const html =
			'<p>Name = M&uuml;ller</p><p>Stra&szlig;e&nbsp;= Hauptstraße 5</p><div>Ort=K&ouml;ln<br>PLZ = 50667</div>';
		expect(htmlToText(html).split('\n')).toEqual([
			'Name = Müller',
			'Straße\u00a0= Hauptstraße 5',
			'Ort=Köln',
			'PLZ = 50667',
		]);
	});

	test('long lines are not wrapped', () => {
		const value = 'x'.repeat(200);
		expect(htmlToText(`<p>Beschreibung = ${value} ${value}</p>`)).toBe(
			`Beschreibung = ${value} ${value}`,
		);
	});

	test('wrapping can be switched on', () => {
		expect(
			htmlToText(`<p>${'wort '.repeat(30)}</p>`, { wordwrap: 40 }).split('\n').length,
		).toBeGreaterThan(1);
	});

	test('links are kept as text; same text and URL shown once; mailto shows the address', () => {
		const html =
			'<a href="https://example.com/a">Anleitung</a> <a href="https://example.com">https://example.com</a> <a href="mailto:info@example.com">info@example.com</a>';
		expect(htmlToText(html)).toBe(
			'Anleitung [https://example.com/a] https://example.com info@example.com',
		);
	});

	test('links can be reduced to their text', () => {
		expect(htmlToText('<a href="https://example.com/a">Anleitung</a>', { links: 'hide' })).toBe(
			'Anleitung',
		);
	});

	test('images show their alt text, never their source (no remote URLs in the text)', () => {
		const html =
			'<p>Hallo <img src="https://tracker.example/p.gif" alt="Logo"> <img src="https://tracker.example/q.gif"></p>';
		const text = htmlToText(html);
		expect(text).toBe('Hallo Logo');
		expect(text).not.toContain('tracker');
		expect(htmlToText(html, { images: 'skip' })).toBe('Hallo');
	});

	test('head, title, style, script and template give no text', () => {
		const html =
			'<html><head><title>Titel</title><style>p{color:red}</style><script>var a=1</script></head>' +
			'<body><p>Inhalt = 1</p><template>T = 2</template><noscript>N = 3</noscript></body></html>';
		expect(htmlToText(html)).toBe('Inhalt = 1');
	});

	test('fragments with style and script elements', () => {
		expect(htmlToText('<style>.x{}</style><p>frag = 1</p><script>alert(1)</script>')).toBe(
			'frag = 1',
		);
	});

	test('headings and table header cells keep their case', () => {
		expect(
			htmlToText('<h1>Name = Groß</h1><table><tr><th>Feld</th><th>Wert</th></tr></table>'),
		).toBe('Name = Groß\n\nFeld Wert');
	});

	test('table cells of a row are joined with a space, rows become lines', () => {
		const html =
			'<table><tr><td>Name</td><td>= Müller</td></tr><tr><td>Ort =</td><td>Köln</td></tr></table>';
		expect(htmlToText(html).split('\n').filter(Boolean)).toEqual(['Name = Müller', 'Ort = Köln']);
	});

	test('blockquotes are marked as quoted with "> "', () => {
		expect(htmlToText('<p>Neu = 1</p><blockquote>Alt = 2<br>Alt = 3</blockquote>')).toBe(
			'Neu = 1\n\n> Alt = 2\n> Alt = 3',
		);
	});

	test('lists', () => {
		expect(htmlToText('<ul><li>a = 1</li><li>b = 2</li></ul>')).toBe('- a = 1\n- b = 2');
	});

	test('empty input', () => {
		expect(htmlToText('')).toBe('');
		expect(htmlToText(null)).toBe('');
		expect(htmlToText(undefined)).toBe('');
	});

	test('broken HTML does not throw', () => {
		expect(htmlToText('<p>Name = A<div><b>Ort = B</p></i>')).toBe('Name = A\nOrt = B');
	});
});
