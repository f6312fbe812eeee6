/**
 * HTML nested deeper than MAX_HTML_DEPTH elements, flattened in one linear pass before a
 * tree-walking library sees it (issue #11 item 2).
 *
 * html-to-text walks the parsed document recursively, so a mail of 50,000 nested `<div>`s
 * overflows the stack; htmlparser2's own tree building (used by html-to-text and sanitize-html)
 * is quadratic in the nesting depth. Here the document is only tokenized (htmlparser2's
 * Tokenizer: linear, no tree) while two stacks of open elements are kept with the tree-building
 * rules of htmlparser2 10 (the version html-to-text parses with): implied end tags (`<li>`
 * closes an open `<li>`, `<p>`-closing block tags, table cells, form controls, ...), void
 * elements, self-closing tags inside `<svg>`/`<math>`, `</p>` without `<p>`:
 *
 * - `source`: what the whole document builds;
 * - `output`: what the document without the dropped tags builds — the tree the library will see.
 *
 * An opening tag that would put an element deeper than `maxDepth` in the output tree is dropped
 * (its text and its children's text stay, one level up), and so is the end tag that closes such
 * an element. A removed block tag leaves a `<br>` (a void element: no depth) so that lines stay
 * lines, a removed table cell tag a space; where a removed inline tag followed a lone `<`, an
 * empty comment takes its place so that no new tag forms. Nothing else changes: a document
 * within the limit is returned as it is (same string), and the output's tree is never deeper
 * than `maxDepth` + 1 (a `<script>`, `<style>`, `<title>`, `<textarea>` or `<xmp>` is kept at
 * any depth because its content is raw text, never elements). Time and memory are linear in the input: each element is pushed and popped at
 * most once per stack, end tags find their element through a count of open elements per name.
 */
import { Tokenizer } from 'htmlparser2';
import { MAX_HTML_DEPTH } from './limits';

// The tables below are htmlparser2 10's tree-building rules (package.json pins the version
// html-to-text uses); test/unit/mail/flatten-deep-html.test.ts checks the result against the
// real parser on random tag soup, so a changed rule shows up there.
const words = (list: string): string[] => list.split(' ');

const FORM_CONTROLS = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];

/** Opening tag name → open elements it ends when one of them is the current element. */
const ENDS_OPEN: ReadonlyMap<string, ReadonlySet<string>> = new Map(
	(
		[
			['tr', ['tr', 'th', 'td']],
			['th', ['th']],
			['td', ['thead', 'th', 'td']],
			['body', ['head', 'link', 'script']],
			['li', ['li']],
			['select', FORM_CONTROLS],
			['input', FORM_CONTROLS],
			['output', FORM_CONTROLS],
			['button', FORM_CONTROLS],
			['datalist', FORM_CONTROLS],
			['textarea', FORM_CONTROLS],
			['option', ['option']],
			['optgroup', ['optgroup', 'option']],
			['dd', ['dd', 'dt']],
			['dt', ['dd', 'dt']],
			['rt', ['rt', 'rp']],
			['rp', ['rt', 'rp']],
			['tbody', ['thead', 'tbody']],
			['tfoot', ['thead', 'tbody']],
			...words(
				'p h1 h2 h3 h4 h5 h6 address article aside blockquote details div dl fieldset ' +
					'figcaption figure footer form header hr main nav ol pre section table ul',
			).map((name): [string, string[]] => [name, ['p']]),
		] as Array<[string, string[]]>
	).map(([name, ends]) => [name, new Set(ends)]),
);

const VOID = new Set(
	words(
		'area base basefont br col command embed frame hr img input isindex keygen link meta ' +
			'param source track wbr',
	),
);

const FOREIGN = new Set(['math', 'svg']);
const INTEGRATION = new Set(words('mi mo mn ms mtext annotation-xml foreignobject desc title'));
/**
 * What a removed tag leaves behind so that the text stays apart as the tag kept it: a line
 * break for block elements (so `<p>Name = A</p><p>Ort = B</p>` stays two Field lines), a space
 * for table cells; inline tags leave nothing.
 */
const STANDS_FOR = new Map([
	...words(
		'address article aside blockquote center dd details dialog dir div dl dt fieldset ' +
			'figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup li main menu nav ol p ' +
			'pre section summary table tbody tfoot thead tr ul',
	).map((name): [string, string] => [name, '<br>']),
	['td', ' '],
	['th', ' '],
]);
/** Elements whose content the tokenizer reads as raw text up to their end tag. */
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);

/** The open elements of a document being built, with htmlparser2's rules; O(1) amortised. */
class OpenElements {
	private readonly names: string[] = [];
	private readonly kept: boolean[] = [];
	private readonly openPerName = new Map<string, number>();
	/** Whether `<x/>` closes itself: inside svg/math, not inside their HTML integration points. */
	private readonly foreign: boolean[] = [];

	get depth(): number {
		return this.names.length;
	}

	/** How many open elements an opening `name` tag ends (implied end tags). */
	endedBy(name: string): number {
		const ends = ENDS_OPEN.get(name);
		let n = 0;
		while (ends && n < this.names.length && ends.has(this.names[this.names.length - 1 - n])) n++;
		return n;
	}

	private push(name: string, kept: boolean): void {
		this.names.push(name);
		this.kept.push(kept);
		this.openPerName.set(name, (this.openPerName.get(name) ?? 0) + 1);
	}

	private pop(): boolean {
		const name = this.names.pop() as string;
		this.openPerName.set(name, (this.openPerName.get(name) as number) - 1);
		return this.kept.pop() as boolean;
	}

	/** An opening tag (`selfClosing`: written `<x/>`); `kept` is remembered for its end tag. */
	open(name: string, selfClosing: boolean, kept: boolean): void {
		for (let n = this.endedBy(name); n > 0; n--) this.pop();
		if (VOID.has(name)) return;
		this.push(name, kept);
		if (FOREIGN.has(name)) this.foreign.push(true);
		else if (INTEGRATION.has(name)) this.foreign.push(false);
		if (selfClosing && this.foreign[this.foreign.length - 1] === true) this.pop();
	}

	/** An end tag: whether the element it closes was kept; undefined when it closes none. */
	close(name: string): boolean | undefined {
		if (FOREIGN.has(name) || INTEGRATION.has(name)) this.foreign.pop();
		if (VOID.has(name)) return undefined;
		if (!this.openPerName.get(name)) {
			if (name === 'p') {
				// `</p>` without an open `<p>` is an empty paragraph
				this.open('p', false, true);
				this.pop();
			}
			return undefined;
		}
		for (;;) {
			const top = this.names[this.names.length - 1];
			const kept = this.pop();
			if (top === name) return kept;
		}
	}
}

export interface FlattenedHtml {
	/** The HTML with the too-deep tags removed; the input itself when nothing was removed. */
	html: string;
	/** Number of tags removed (opening and end tags). */
	removedTags: number;
}

export interface FlattenOptions {
	/**
	 * Write `<svg>` and `<math>` as `<template>` (when the document has more than `maxDepth`
	 * tags). For a consumer that drops both with their content anyway (sanitize-html here) and
	 * parses with another htmlparser2 version, whose rules inside svg/math differ from version 10
	 * (e.g. `<svg/>` then `<x/>`: version 10 closes each `<x/>`, version 12 nests them): without
	 * foreign content, both versions build the tree this pass predicts.
	 */
	foreignAsTemplate?: boolean;
}

/** Removes the tags of elements nested deeper than `maxDepth` (see the module comment). */
export function flattenDeepHtml(
	html: string,
	maxDepth: number = MAX_HTML_DEPTH,
	options: FlattenOptions = {},
): FlattenedHtml {
	// a document with at most maxDepth tags cannot be deeper than maxDepth
	let tags = 0;
	for (let i = html.indexOf('<'); i >= 0 && tags <= maxDepth; i = html.indexOf('<', i + 1)) tags++;
	if (tags <= maxDepth) return { html, removedTags: 0 };
	const asTemplate = (name: string) =>
		options.foreignAsTemplate === true && FOREIGN.has(name) ? 'template' : name;

	const source = new OpenElements();
	const output = new OpenElements();
	const parts: string[] = [];
	let copiedTo = 0;
	let lastCopied = '';
	let removedTags = 0;
	let changed = false;
	/** Writes `stand` for the tag at start..end. */
	const replace = (start: number, end: number, stand: string) => {
		if (start > copiedTo) {
			parts.push(html.slice(copiedTo, start));
			lastCopied = html[start - 1];
		}
		// `<` + `<b>` + `div>`: without the tag, `<` and `div>` would form a new tag
		const text = stand === '' && lastCopied === '<' ? '<!---->' : stand;
		if (text !== '') {
			parts.push(text);
			lastCopied = text[text.length - 1];
		}
		copiedTo = end;
		changed = true;
	};
	/** Removes the tag at start..end, leaving what keeps its text apart (see STANDS_FOR). */
	const remove = (start: number, end: number, name: string) => {
		replace(start, end, STANDS_FOR.get(name) ?? '');
		removedTags++;
	};

	let tagName = '';
	let tagNameAsWritten = '';
	let tagStart = -1;
	const openTag = (end: number, selfClosing: boolean) => {
		const name = asTemplate(tagName);
		tagName = '';
		if (name === '') return;
		const kept =
			VOID.has(name) ||
			(!selfClosing && RAW_TEXT.has(name)) ||
			output.depth - output.endedBy(name) < maxDepth;
		source.open(name, selfClosing, kept);
		if (!kept) remove(tagStart, end + 1, name);
		else {
			output.open(name, selfClosing, true);
			if (name !== tagNameAsWritten) replace(tagStart, end + 1, `<${name}>`);
		}
	};
	const noop = () => undefined;
	const tokenizer = new Tokenizer(
		{ decodeEntities: false },
		{
			onopentagname(start, end) {
				tagName = html.slice(start, end).toLowerCase();
				tagNameAsWritten = tagName;
				tagStart = start - 1;
			},
			onopentagend(end) {
				openTag(end, false);
			},
			onselfclosingtag(end) {
				openTag(end, true);
			},
			onclosetag(start, end) {
				const written = html.slice(start, end).toLowerCase();
				const name = asTemplate(written);
				const gt = html.indexOf('>', end);
				const [from, to] = [html.lastIndexOf('<', start), gt < 0 ? html.length : gt + 1];
				if (source.close(name) === false) {
					remove(from, to, name);
				} else {
					output.close(name);
					if (name !== written) replace(from, to, `</${name}>`);
				}
			},
			onattribdata: noop,
			onattribentity: noop,
			onattribend: noop,
			onattribname: noop,
			oncdata: noop,
			oncomment: noop,
			ondeclaration: noop,
			onend: noop,
			onprocessinginstruction: noop,
			ontext: noop,
			ontextentity: noop,
		},
	);
	tokenizer.write(html);
	tokenizer.end();
	if (!changed) return { html, removedTags };
	parts.push(html.slice(copiedTo));
	return { html: parts.join(''), removedTags };
}
