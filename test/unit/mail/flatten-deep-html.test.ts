/**
 * #11.2 bounded work: HTML nesting depth. Deeply nested HTML is flattened in one linear pass
 * before html-to-text (whose walk is recursive) sees it; the result is checked against the tree
 * the real htmlparser2 builds, the parser html-to-text uses.
 */
import { Parser, parseDocument } from 'htmlparser2';

import { flattenDeepHtml } from '../../../lib/mail/flatten-deep-html';
import { htmlToText } from '../../../lib/mail/html-to-text';
import { MAX_HTML_DEPTH } from '../../../lib/mail/limits';
import { sanitizeMailHtml } from '../../../lib/mail/sanitize-html';

type Node = { children?: Node[] };

/** Depth of the deepest element of the tree htmlparser2 builds (iterative, any depth). */
function treeDepth(html: string): number {
	let max = 0;
	const todo: Array<[Node, number]> = [[parseDocument(html) as unknown as Node, 0]];
	while (todo.length > 0) {
		const [node, depth] = todo.pop() as [Node, number];
		if (depth > max) max = depth;
		for (const child of node.children ?? []) if (child.children) todo.push([child, depth + 1]);
	}
	return max;
}

/** All text of a document in order (htmlparser2's text events, entities decoded). */
function textOf(html: string): string {
	const parts: string[] = [];
	const parser = new Parser({ ontext: (t) => parts.push(t) });
	parser.end(html);
	return parts.join('');
}

/** A seeded pseudo-random generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const nest = (open: string, close: string, n: number, inner = 'Name = Tief') =>
	open.repeat(n) + inner + close.repeat(n);

describe('#11.2 flattenDeepHtml: nesting depth limited to MAX_HTML_DEPTH', () => {
	test('a document nested exactly MAX_HTML_DEPTH levels is returned as it is (same string)', () => {
		for (const tag of ['div', 'b', 'blockquote', 'ul', 'table', 'span']) {
			const html = nest(`<${tag}>`, `</${tag}>`, MAX_HTML_DEPTH);
			expect(treeDepth(html)).toBe(MAX_HTML_DEPTH);
			const out = flattenDeepHtml(html);
			expect(out.removedTags).toBe(0);
			expect(out.html).toBe(html);
		}
	});

	test('one level more: the deepest element loses its two tags, its text stays', () => {
		const out = flattenDeepHtml(nest('<div>', '</div>', MAX_HTML_DEPTH + 1));
		expect(out.removedTags).toBe(2);
		// a block element's tags leave a line break (void: no depth), inline ones nothing
		expect(out.html).toBe(nest('<div>', '</div>', MAX_HTML_DEPTH, '<br>Name = Tief<br>'));
		const inline = flattenDeepHtml(nest('<b>', '</b>', MAX_HTML_DEPTH + 1));
		expect(inline.html).toBe(nest('<b>', '</b>', MAX_HTML_DEPTH));
		const cells = flattenDeepHtml(`${'<div>'.repeat(MAX_HTML_DEPTH)}<td>a</td><td>b</td>`);
		expect(cells.html).toBe(`${'<div>'.repeat(MAX_HTML_DEPTH)} a  b `);
	});

	test('paragraphs beyond the limit stay separate lines (Field lines are read per line)', () => {
		const html = nest(
			'<div>',
			'</div>',
			50_000,
			'<p>Guten Tag,</p><p>Name = Tief</p><ul><li>Ort = Berlin</ul>',
		);
		expect(htmlToText(html).split('\n').filter(Boolean)).toEqual([
			'Guten Tag,',
			'Name = Tief',
			'Ort = Berlin',
		]);
	}, 120_000);

	test('ordinary mail HTML (implied end tags, lists, tables, void elements) is unchanged', () => {
		const html =
			'<html><head><style>p{color:red}</style><title>T</title></head><body>' +
			'<p>Guten Tag<p>zweiter Absatz<br>Zeile<ul><li>eins<li>zwei</ul>' +
			'<table><tr><td>a<td>b<tr><td>c</table><img src="cid:x" alt="Bild"><hr>' +
			'<svg><path d="M0"/><g/></svg><p>Name = Muster</body></html>';
		expect(flattenDeepHtml(html)).toEqual({ html, removedTags: 0 });
	});

	test.each([
		['<div>', '</div>'],
		['<b>', '</b>'],
		['<blockquote>', '</blockquote>'],
		['<ul><li>', '</li></ul>'],
		['<table><tr><td>', '</td></tr></table>'],
		['<font color="red">', '</font>'],
		['<svg><g>', '</g></svg>'],
	])(
		'%s × 100,000 (≥ 1 MB), closed and unclosed: tree depth ≤ limit + 1, all text kept',
		(open, close) => {
			const n = 100_000;
			for (const html of [nest(open, close, n), open.repeat(n) + 'Name = Tief']) {
				expect(html.length).toBeGreaterThanOrEqual(n * 3);
				const out = flattenDeepHtml(html);
				expect(out.removedTags).toBeGreaterThan(0);
				expect(treeDepth(out.html)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
				// removed table cells leave a space each
				expect(textOf(out.html).trim()).toBe('Name = Tief');
			}
		},
		120_000,
	);

	test('100,000 unclosed tags followed by 100,000 stray end tags of another name', () => {
		const html = '<div>'.repeat(100_000) + 'x' + '</i>'.repeat(100_000) + 'Name = Ende';
		const out = flattenDeepHtml(html);
		expect(treeDepth(out.html)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
		expect(textOf(out.html)).toBe('xName = Ende');
	}, 120_000);

	test('a removed tag after a lone `<` does not let a new tag form (`<<b>div>` × 100,000)', () => {
		const html = '<b>'.repeat(MAX_HTML_DEPTH) + '<<b>div>'.repeat(100_000);
		const out = flattenDeepHtml(html);
		expect(treeDepth(out.html)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
		expect(textOf(out.html)).toBe('<div>'.repeat(100_000));
	}, 120_000);

	test('script, style, title, textarea keep their raw content at any depth', () => {
		const deep = '<div>'.repeat(MAX_HTML_DEPTH + 5);
		const html = `${deep}<style>p { color: red }</style><script>var a = "<b>";</script>Text`;
		const out = flattenDeepHtml(html);
		expect(out.html).toContain('<style>p { color: red }</style>');
		expect(out.html).toContain('<script>var a = "<b>";</script>');
		expect(htmlToText(html)).toBe('Text');
	});

	test('random tag soup: within the limit unchanged; beyond it the real parser stays within limit + 1 and the text is the same', () => {
		const pieces = [
			'<div>',
			'</div>',
			'<p>',
			'</p>',
			'<b>',
			'</b>',
			'<li>',
			'</li>',
			'<ul>',
			'</ul>',
			'<table>',
			'<tr>',
			'<td>',
			'</td>',
			'</tr>',
			'</table>',
			'<thead>',
			'<tbody>',
			'<dd>',
			'<dt>',
			'<option>',
			'<select>',
			'</select>',
			'<input>',
			'<hr>',
			'<br>',
			'</br>',
			'<svg>',
			'</svg>',
			'<math>',
			'<mi>',
			'</mi>',
			'<title>t</title>',
			'<x/>',
			'<g/>',
			'<script/>',
			'<textarea>a</textarea>',
			'<blockquote>',
			'</blockquote>',
			'<',
			'<<b>',
			'text ',
			'<!-- c -->',
			'</x>',
			'<B>',
			'</B >',
		];
		for (let seed = 1; seed <= 1500; seed++) {
			const next = random(seed);
			const maxDepth = 2 + Math.floor(next() * 5);
			let html = '';
			const length = 20 + Math.floor(next() * 200);
			for (let i = 0; i < length; i++) html += pieces[Math.floor(next() * pieces.length)];
			const foreignAsTemplate = seed % 2 === 0;
			const out = flattenDeepHtml(html, maxDepth, { foreignAsTemplate });
			const context = { seed, maxDepth, html, out: out.html };
			if (treeDepth(html) <= maxDepth && !(foreignAsTemplate && /<\/?(svg|math)/i.test(html)))
				expect({ ...context, out: out.html }).toEqual(context);
			expect({ ...context, depth: treeDepth(out.html) <= maxDepth + 1 }).toEqual({
				...context,
				depth: true,
			});
			const text = (h: string) => textOf(h).replace(/\s/g, ''); // removed cells leave a space
			expect({ ...context, text: text(out.html) }).toEqual({ ...context, text: text(html) });
		}
	}, 120_000);
});

describe('#11.2 htmlToText on deeply nested HTML (html-to-text recursed once per level)', () => {
	test('50,000 nested <div>/<b>/<table>/<ul>, closed or not: the text, no stack overflow', () => {
		for (const [open, close] of [
			['<div>', '</div>'],
			['<b>', '</b>'],
			['<table><tr><td>', '</td></tr></table>'],
			['<ul><li>', '</li></ul>'],
		]) {
			// list items keep their `- ` bullets (one per kept level)
			expect(htmlToText(nest(open, close, 50_000)).endsWith('Name = Tief')).toBe(true);
			expect(htmlToText(open.repeat(50_000) + 'Name = Tief').endsWith('Name = Tief')).toBe(true);
		}
	}, 120_000);

	test('50,000 nested <blockquote>: the text, quoted (beyond the limit one level of `> ` each)', () => {
		const text = htmlToText(nest('<blockquote>', '</blockquote>', 50_000));
		expect(text).toBe(`${'> '.repeat(MAX_HTML_DEPTH)}Name = Tief`);
	}, 120_000);

	test('300,000 table cells (a run of 300,000 separating spaces) are trimmed linearly', () => {
		// `/[ \t]+$/gm` took 20 s for 50,000 cells: each position of the run was scanned again
		expect(htmlToText(`${'<td>'.repeat(300_000)}Name = Ende`)).toBe('Name = Ende');
	}, 120_000);
});

describe('#11.2 sanitizeMailHtml on deeply nested HTML (its parser is quadratic in the depth)', () => {
	test('1 MB of nested <b> and of <div> with stray end tags: sanitised, depth ≤ limit + 1', () => {
		for (const html of [
			`${'<b>'.repeat(333_000)}Name = Tief`,
			`${'<div>'.repeat(100_000)}Name = Tief${'</i>'.repeat(100_000)}`,
		]) {
			expect(html.length).toBeGreaterThan(900_000);
			const out = sanitizeMailHtml(html).html;
			expect(treeDepth(out)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
			expect(textOf(out).trim()).toBe('Name = Tief');
		}
	}, 120_000);

	test('svg and math content, whose rules differ between htmlparser2 versions, is bounded too', () => {
		for (const html of [
			`<svg/>${'<x/>'.repeat(250_000)}Name = Tief`,
			`<svg><textarea>${'<b>'.repeat(333_000)}Name = Tief`,
			`<math><mi>${'<x/>'.repeat(250_000)}Name = Tief`,
		]) {
			expect(html.length).toBeGreaterThan(900_000);
			const flat = flattenDeepHtml(html, MAX_HTML_DEPTH, { foreignAsTemplate: true }).html;
			expect(flat).not.toMatch(/<(svg|math)/);
			expect(treeDepth(flat)).toBeLessThanOrEqual(MAX_HTML_DEPTH + 1);
			// sanitize-html drops template (as it drops svg and math) with its content
			expect(sanitizeMailHtml(html).html).toBe('');
		}
	}, 120_000);
});
