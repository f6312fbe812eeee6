/**
 * Plain text from an HTML mail body (html-to-text library). Used when a mail has no text
 * part (R-PROC-5 reads `Field = Value` lines from the text) and for activity previews.
 *
 * - Nothing is fetched: the converter only walks the parsed document; image sources are never
 *   printed (the alt text is, by default), so tracking URLs do not leak into the text.
 * - Links stay as text: `Anleitung [https://example.com/a]`; when the link text equals the URL
 *   it is shown once; `mailto:` links show the bare address.
 * - No word wrapping by default, so long `Field = Value` lines stay on one line; headings and
 *   table header cells keep their case (html-to-text upper-cases them by default).
 * - `<head>`, `<style>`, `<script>`, `<template>`, `<noscript>` produce no text.
 * - `<blockquote>` content is prefixed with `> `, so stripQuotedReply treats it as quoted.
 * - Elements nested deeper than MAX_HTML_DEPTH (lib/mail/limits.ts) are flattened first
 *   (lib/mail/flatten-deep-html.ts): their text is kept, their tags are not, so the library's
 *   recursive walk stays shallow whatever the mail (issue #11 item 2).
 */
import { compile, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import { flattenDeepHtml } from './flatten-deep-html';
import { trimLineEnds } from './trim-runs';

export interface HtmlToTextConvertOptions {
	/** `inline` (default): `text [url]`; `hide`: only the link text. */
	links?: 'inline' | 'hide';
	/** `alt` (default): the image's alt text; `skip`: nothing. */
	images?: 'alt' | 'skip';
	/** Wrap lines at this many characters; default no wrapping. */
	wordwrap?: number | false;
	/** Longer input is cut (default 16 MiB of characters, html-to-text's own limit). */
	maxInputLength?: number;
}

const imageAlt: FormatCallback = (elem, _walk, builder) => {
	const alt = (elem.attribs as Record<string, string> | undefined)?.alt;
	if (alt && alt.trim()) builder.addInline(alt.trim(), { noWordTransform: true });
};

/** Table cells side by side, separated by a space (html-to-text would glue them together). */
const tableCell: FormatCallback = (elem, walk, builder) => {
	type Sibling = { type?: string; prev?: Sibling | null };
	let sibling = (elem as unknown as Sibling).prev;
	while (sibling && sibling.type !== 'tag') sibling = sibling.prev;
	if (sibling) builder.addLiteral(' ');
	walk(elem.children, builder);
};

const heading = (n: number) => ({
	selector: `h${n}`,
	format: 'heading',
	options: { uppercase: false, leadingLineBreaks: n <= 3 ? 2 : 1, trailingLineBreaks: 1 },
});

function buildOptions(options: HtmlToTextConvertOptions): HtmlToTextOptions {
	return {
		wordwrap: options.wordwrap === undefined ? false : options.wordwrap,
		decodeEntities: true,
		...(options.maxInputLength ? { limits: { maxInputLength: options.maxInputLength } } : {}),
		formatters: { imageAlt, tableCell },
		selectors: [
			{
				selector: 'a',
				options: {
					hideLinkHrefIfSameAsText: true,
					ignoreHref: options.links === 'hide',
					noAnchorUrl: true,
					linkBrackets: ['[', ']'],
				},
			},
			{ selector: 'img', format: options.images === 'skip' ? 'skip' : 'imageAlt' },
			{ selector: 'head', format: 'skip' },
			{ selector: 'title', format: 'skip' },
			{ selector: 'style', format: 'skip' },
			{ selector: 'script', format: 'skip' },
			{ selector: 'noscript', format: 'skip' },
			{ selector: 'template', format: 'skip' },
			{ selector: 'object', format: 'skip' },
			{ selector: 'iframe', format: 'skip' },
			{ selector: 'p', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
			heading(1),
			heading(2),
			heading(3),
			heading(4),
			heading(5),
			heading(6),
			{ selector: 'table', format: 'block' },
			{ selector: 'tr', format: 'block' },
			{ selector: 'th', format: 'tableCell' },
			{ selector: 'td', format: 'tableCell' },
			{ selector: 'ul', options: { itemPrefix: '- ' } },
		],
	};
}

const converters = new Map<string, (html: string) => string>();

function converterFor(options: HtmlToTextConvertOptions): (html: string) => string {
	const key = JSON.stringify([
		options.links,
		options.images,
		options.wordwrap,
		options.maxInputLength,
	]);
	let convert = converters.get(key);
	if (!convert) {
		convert = compile(buildOptions(options));
		converters.set(key, convert);
	}
	return convert;
}

/** Plain text of an HTML document or fragment; lines end with `\n`, no trailing blank lines. */
export function htmlToText(
	html: string | null | undefined,
	options: HtmlToTextConvertOptions = {},
): string {
	if (html === null || html === undefined || html === '') return '';
	const text = converterFor(options)(flattenDeepHtml(String(html)).html);
	return trimLineEnds(text.replace(/\r\n?/g, '\n'))
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}
