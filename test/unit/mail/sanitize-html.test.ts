import { readFileSync } from 'fs';
import { join } from 'path';
import { DomUtils, parseDocument } from 'htmlparser2';
import {
	sanitizeHtml,
	sanitizeMailHtml,
	type SanitizeHtmlOptions,
} from '../../../lib/mail/sanitize-html';

interface Payload {
	id: string;
	html: string;
}

const PAYLOADS = (
	JSON.parse(readFileSync(join(__dirname, '../../fixtures/xss/payloads.json'), 'utf8')) as {
		payloads: Payload[];
	}
).payloads;

const ALLOWED_TAGS = new Set(
	'a abbr acronym address article aside b bdi bdo big blockquote br caption center cite code col colgroup dd del dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark ol p pre q s samp section small span strike strong sub sup table tbody td tfoot th thead tr tt u ul var wbr'.split(
		' ',
	),
);
const GLOBAL_ATTRS = [
	'dir',
	'lang',
	'title',
	'align',
	'valign',
	'style',
	'width',
	'height',
	'bgcolor',
];
const TAG_ATTRS: Record<string, string[]> = {
	a: ['href', 'target', 'rel'],
	img: ['src', 'alt', 'border', 'referrerpolicy'],
	font: ['color', 'face', 'size'],
	table: ['border', 'cellpadding', 'cellspacing', 'summary'],
	td: ['colspan', 'rowspan', 'nowrap', 'scope', 'abbr'],
	th: ['colspan', 'rowspan', 'nowrap', 'scope', 'abbr'],
	col: ['span'],
	colgroup: ['span'],
	ol: ['start', 'type', 'reversed'],
	ul: ['type'],
	li: ['value', 'type'],
	blockquote: ['type'],
	time: ['datetime'],
	bdo: ['dir'],
};

/** A URL the way a browser reads it before looking at the scheme. */
function browserUrl(value: string): string {
	return value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}

/**
 * Parses sanitised output with a real HTML parser and lists every violation of the policy.
 * `remoteImages`: http(s) image sources are allowed too.
 */
function violations(html: string, remoteImages = false): string[] {
	const problems: string[] = [];
	const doc = parseDocument(html, {
		decodeEntities: true,
		lowerCaseTags: true,
		lowerCaseAttributeNames: true,
	});
	for (const el of DomUtils.findAll(() => true, doc.children)) {
		const tag = el.name;
		if (!ALLOWED_TAGS.has(tag)) problems.push(`tag <${tag}>`);
		for (const [name, rawValue] of Object.entries(el.attribs)) {
			const value = String(rawValue);
			if (/^on/i.test(name)) problems.push(`event handler ${name} on <${tag}>`);
			if (!GLOBAL_ATTRS.includes(name) && !(TAG_ATTRS[tag] ?? []).includes(name))
				problems.push(`attribute ${name} on <${tag}>`);
			if (/(?:java|vb|live)script\s*:|data\s*:/i.test(browserUrl(value).replace(/\s+/g, ''))) {
				problems.push(`script/data URL in ${name}="${value}"`);
			}
			if (name === 'href' && !/^(?:https?:\/\/|mailto:|tel:)/i.test(browserUrl(value)))
				problems.push(`href "${value}"`);
			if (name === 'src') {
				const src = browserUrl(value);
				const ok = /^cid:/i.test(src) || (remoteImages && /^https?:\/\//i.test(src));
				if (!ok) problems.push(`src "${value}"`);
			}
			const css = value.replace(/\/\*[^]*?\*\//g, '');
			if (
				name === 'style' &&
				/url\s*\(|expression|@import|\\|behavior|binding|javascript|image-set|var\s*\(|position/i.test(
					css,
				)
			) {
				problems.push(`style "${value}"`);
			}
		}
	}
	if (/<\s*script/i.test(html)) problems.push('raw <script');
	if (/javascript:/i.test(html)) problems.push('raw javascript:');
	for (const tag of html.match(/<[^>]*>/g) ?? []) {
		if (/[\s/"']on[a-z]+\s*=/i.test(tag)) problems.push(`on*= in ${tag}`);
	}
	return problems;
}

describe('R-PROC-2: mail HTML is sanitised before it is shown or stored (XSS payload list)', () => {
	test('the payload list is loaded', () => {
		expect(PAYLOADS.length).toBeGreaterThanOrEqual(100);
		expect(new Set(PAYLOADS.map((p) => p.id)).size).toBe(PAYLOADS.length);
	});

	test('the checker itself finds violations in the unsanitised payloads', () => {
		// Comments and CDATA hide their payload from any parser; an unterminated tag at the end of
		// the input is dropped by htmlparser2 (as by browsers): nothing for the checker to see.
		const invisible = PAYLOADS.filter(
			(p) => /^<!--|^<!\[CDATA/.test(p.html) || p.id === 'img-unclosed-quote',
		);
		const missed = PAYLOADS.filter(
			(p) => !invisible.includes(p) && violations(p.html).length === 0,
		);
		expect(missed.map((p) => p.id)).toEqual([]);
		expect(invisible.length).toBeLessThan(8);
	});

	describe.each(PAYLOADS.map((p) => [p.id, p] as const))('%s', (_id, payload) => {
		test('default options: no script, handler, script URL, remote or relative source', () => {
			const out = sanitizeHtml(payload.html);
			expect(violations(out)).toEqual([]);
		});

		test('allowRemoteImages: still nothing that runs script', () => {
			const out = sanitizeHtml(payload.html, { allowRemoteImages: true, allowDataImages: true });
			expect(violations(out, true)).toEqual([]);
		});

		test('sanitising again changes nothing', () => {
			const once = sanitizeHtml(payload.html);
			expect(sanitizeHtml(once)).toBe(once);
		});
	});
});

describe('R-PROC-2: what the sanitiser keeps', () => {
	test('ordinary formatting survives', () => {
		const html =
			'<h1>Titel</h1><p dir="ltr"><b>fett</b> <i>kursiv</i> <u>unter</u> <font color="#ff0000" face="Arial" size="3">alt</font></p>' +
			'<ul><li>eins</li></ul><ol start="3"><li>drei</li></ol><blockquote type="cite">zitiert</blockquote><pre>code</pre>' +
			'<table border="1" cellpadding="2"><tr><th colspan="2">Kopf</th></tr><tr><td>a</td><td rowspan="1">b</td></tr></table><hr><br>';
		expect(sanitizeHtml(html)).toBe(
			'<h1>Titel</h1><p dir="ltr"><b>fett</b> <i>kursiv</i> <u>unter</u> <font color="#ff0000" face="Arial" size="3">alt</font></p>' +
				'<ul><li>eins</li></ul><ol start="3"><li>drei</li></ol><blockquote type="cite">zitiert</blockquote><pre>code</pre>' +
				'<table border="1" cellpadding="2"><tr><th colspan="2">Kopf</th></tr><tr><td>a</td><td rowspan="1">b</td></tr></table><hr /><br />',
		);
	});

	test('safe inline CSS is kept, dangerous declarations dropped one by one', () => {
		const html =
			'<p style="color: #333; background-color: rgb(255, 255, 0); font-family: \'Segoe UI\', Arial; margin: 0 0 8px; position: absolute; background-image: url(https://t.example/x)">x</p>';
		expect(sanitizeHtml(html)).toBe(
			'<p style="color:#333;background-color:rgb(255, 255, 0);font-family:\'Segoe UI\', Arial;margin:0 0 8px">x</p>',
		);
	});

	test('links keep http(s)/mailto/tel and get rel="noopener noreferrer" and target="_blank"', () => {
		expect(sanitizeHtml('<a href="https://example.com/a?b=1&amp;c=2" title="t">x</a>')).toBe(
			'<a href="https://example.com/a?b=1&amp;c=2" title="t" rel="noopener noreferrer" target="_blank">x</a>',
		);
		expect(sanitizeHtml('<a href="mailto:info@example.com">m</a>')).toContain(
			'href="mailto:info@example.com"',
		);
		expect(sanitizeHtml('<a href="tel:+49221123">t</a>')).toContain('href="tel:+49221123"');
	});

	test('the link target can be changed or left out', () => {
		expect(sanitizeHtml('<a href="https://e.example">x</a>', { linkTarget: null })).toBe(
			'<a href="https://e.example" rel="noopener noreferrer">x</a>',
		);
		expect(sanitizeHtml('<a href="https://e.example">x</a>', { linkTarget: '_top' })).toContain(
			'target="_top"',
		);
	});

	test('links with a forbidden URL keep their text but lose href, rel and target', () => {
		expect(sanitizeHtml('<a href="javascript:alert(1)" target="_self">Klick</a>')).toBe(
			'<a>Klick</a>',
		);
	});

	test('a whole mail document: head dropped, body content kept', () => {
		const html =
			'<html><head><meta charset="utf-8"><title>Betreff</title><style>p{color:red}</style></head><body style="margin:0"><p>Hallo Herr Müller,</p></body></html>';
		expect(sanitizeHtml(html)).toBe('<p>Hallo Herr Müller,</p>');
	});

	test('R-PLUS-6: umlauts and other scripts pass unchanged, entities stay entities', () => {
		expect(sanitizeHtml('<p>Grüße – 日本語 &lt;tag&gt; &amp;</p>')).toBe(
			'<p>Grüße – 日本語 &lt;tag&gt; &amp;</p>',
		);
	});

	test('empty input', () => {
		expect(sanitizeHtml('')).toBe('');
		expect(sanitizeHtml(null)).toBe('');
		expect(sanitizeMailHtml(undefined)).toEqual({ html: '', cidReferences: [], blockedImages: 0 });
	});
});

describe('R-PROC-2: images — no remote loads by default', () => {
	const html =
		'<p>Logo: <img src="cid:logo.png@01D9" alt="Logo" width="100"></p>' +
		'<img src="https://tracker.example/pixel.gif" width="1" height="1">' +
		'<img src="data:image/png;base64,iVBORw0KGgo=">' +
		'<img src="data:image/svg+xml;base64,PHN2Zz4=">' +
		'<img src="bild.png">';

	test('default: only cid: images are kept, the rest removed and counted', () => {
		const r = sanitizeMailHtml(html);
		expect(r.html).toBe('<p>Logo: <img src="cid:logo.png@01D9" alt="Logo" width="100" /></p>');
		expect(r.cidReferences).toEqual(['logo.png@01D9']);
		expect(r.blockedImages).toBe(4);
	});

	test('allowRemoteImages keeps http(s) images with referrerpolicy="no-referrer"', () => {
		const r = sanitizeMailHtml(html, { allowRemoteImages: true });
		expect(r.html).toContain(
			'<img src="https://tracker.example/pixel.gif" width="1" height="1" referrerpolicy="no-referrer" />',
		);
		expect(r.blockedImages).toBe(3);
	});

	test('allowDataImages keeps raster data: images, never SVG', () => {
		const options: SanitizeHtmlOptions = { allowDataImages: true };
		const r = sanitizeMailHtml(html, options);
		expect(r.html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
		expect(r.html).not.toContain('svg');
		expect(r.blockedImages).toBe(3);
	});

	test('cid references with angle brackets are reported without them', () => {
		expect(sanitizeMailHtml('<img src="cid:<a@b>">').cidReferences).toEqual(['a@b']);
	});

	test('srcset never survives, even next to a cid: src', () => {
		expect(sanitizeHtml('<img src="cid:a@b" srcset="https://t.example/x 2x">')).toBe(
			'<img src="cid:a@b" />',
		);
	});
});
