/**
 * HTML of incoming mails made safe to show in n8n and to store in a case's activity list
 * (sanitize-html, allow-list based).
 *
 * Kept: text formatting, lists, tables, headings, quotes, links, `font` and a safe subset of
 * inline CSS (colours, fonts, spacing, borders, alignment, sizes).
 * Removed:
 *   - `script`, `style`, `title`, `template`, `noscript`, `iframe`, `frame(set)`, `object`,
 *     `embed`, `applet`, `svg`, `math`, `textarea`, `select` with their content; `form`, `input`,
 *     `button`, `base`, `meta` (refresh included), `link` and every other unlisted tag (their
 *     text stays); comments, including Outlook's conditional comments;
 *   - every event handler (`on*`), `id`, `name`, `class`, `srcset`, `background`, `formaction`
 *     and all other attributes that are not allow-listed;
 *   - links other than `http:`, `https:`, `mailto:`, `tel:` (no `javascript:`, `data:`,
 *     `vbscript:`, relative or protocol-relative URLs); kept links get
 *     `rel="noopener noreferrer"` and `target="_blank"`;
 *   - CSS that could load or run anything: only allow-listed properties whose values consist of
 *     words, numbers, units, `#colours`, commas, `/` and `rgb()/hsl()` — so no `url()`,
 *     `expression()`, `image-set()`, `var()`, backslash escapes, `@import`, `position`,
 *     `background(-image)`, `behavior`, `-moz-binding`, `cursor`, `list-style-image`,
 *     `content`;
 *   - images that would load from the network: by default an `<img>` is kept only when its
 *     `src` is a `cid:` reference (inline image; the caller keeps the attachment); other images
 *     are dropped. `allowRemoteImages: true` keeps `http(s):` images too (with
 *     `referrerpolicy="no-referrer"`); `allowDataImages: true` keeps base64 `data:image/png|
 *     jpeg|gif|webp` (never SVG, which can carry script).
 */
import sanitize from 'sanitize-html';
import { flattenDeepHtml } from './flatten-deep-html';
import { MAX_HTML_DEPTH } from './limits';
import { trimWhile } from './trim-runs';

export interface SanitizeHtmlOptions {
	/** Keep `http(s):` images (default false: no remote loads, no tracking pixels). */
	allowRemoteImages?: boolean;
	/** Keep base64 `data:image/(png|jpeg|gif|webp)` images (default false). */
	allowDataImages?: boolean;
	/** `target` set on every link (default `_blank`); null: no target attribute. */
	linkTarget?: string | null;
}

export interface SanitizedHtml {
	html: string;
	/** Content-IDs referenced by kept `cid:` images, without `cid:` and angle brackets, in order. */
	cidReferences: string[];
	/** Number of images removed because their source was not allowed (remote, data:, relative). */
	blockedImages: number;
}

const ALLOWED_TAGS = [
	'a',
	'abbr',
	'acronym',
	'address',
	'article',
	'aside',
	'b',
	'bdi',
	'bdo',
	'big',
	'blockquote',
	'br',
	'caption',
	'center',
	'cite',
	'code',
	'col',
	'colgroup',
	'dd',
	'del',
	'dfn',
	'div',
	'dl',
	'dt',
	'em',
	'figcaption',
	'figure',
	'font',
	'footer',
	'h1',
	'h2',
	'h3',
	'h4',
	'h5',
	'h6',
	'header',
	'hr',
	'i',
	'img',
	'ins',
	'kbd',
	'li',
	'mark',
	'ol',
	'p',
	'pre',
	'q',
	's',
	'samp',
	'section',
	'small',
	'span',
	'strike',
	'strong',
	'sub',
	'sup',
	'table',
	'tbody',
	'td',
	'tfoot',
	'th',
	'thead',
	'tr',
	'tt',
	'u',
	'ul',
	'var',
	'wbr',
];

/** Disallowed tags whose text is dropped too (not only the tag). */
const NON_TEXT_TAGS = [
	'script',
	'style',
	'title',
	'template',
	'noscript',
	'noembed',
	'noframes',
	'iframe',
	'frame',
	'frameset',
	'object',
	'embed',
	'applet',
	'svg',
	'math',
	'textarea',
	'select',
	'option',
	'xmp',
	'plaintext',
];

const GLOBAL_ATTRIBUTES = [
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

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
	'*': GLOBAL_ATTRIBUTES,
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

/**
 * Values of CSS properties: words, numbers with units, #colours, commas, slashes, rgb()/hsl().
 * Each position of a value can be read in one way only (single characters, `!important`, or a
 * colour function, which alone crosses a `(`), so the test is linear; the former form, words
 * `[-+]?[a-z0-9_.%#-]+` and blanks `\s+` repeated by an outer `+`, took seconds per extra
 * character of an almost matching value (issue #11.1).
 */
const CSS_VALUE =
	/^(?=[^]{0,200}$)(?:[-+\w.%#\s,/]|!important|(?:rgba?|hsla?)\([\d.%\s,/deg]+\))+$/i;
/** font-family may also carry quoted family names. */
const CSS_FONT_FAMILY = /^(?=[^]{0,200}$)[a-z0-9_\s,'"-]+$/i;

const CSS_PROPERTIES = [
	'color',
	'background-color',
	'font',
	'font-size',
	'font-weight',
	'font-style',
	'font-variant',
	'text-align',
	'text-decoration',
	'text-transform',
	'text-indent',
	'line-height',
	'letter-spacing',
	'word-spacing',
	'white-space',
	'word-break',
	'word-wrap',
	'overflow-wrap',
	'vertical-align',
	'direction',
	'display',
	'float',
	'clear',
	'width',
	'min-width',
	'max-width',
	'height',
	'min-height',
	'max-height',
	'margin',
	'margin-top',
	'margin-right',
	'margin-bottom',
	'margin-left',
	'padding',
	'padding-top',
	'padding-right',
	'padding-bottom',
	'padding-left',
	'border',
	'border-top',
	'border-right',
	'border-bottom',
	'border-left',
	'border-color',
	'border-style',
	'border-width',
	'border-top-color',
	'border-right-color',
	'border-bottom-color',
	'border-left-color',
	'border-top-style',
	'border-right-style',
	'border-bottom-style',
	'border-left-style',
	'border-top-width',
	'border-right-width',
	'border-bottom-width',
	'border-left-width',
	'border-collapse',
	'border-spacing',
	'border-radius',
	'list-style-type',
	'table-layout',
];

const ALLOWED_STYLES: Record<string, Record<string, RegExp[]>> = {
	'*': {
		...Object.fromEntries(CSS_PROPERTIES.map((p) => [p, [CSS_VALUE]])),
		'font-family': [CSS_FONT_FAMILY],
	},
};

const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel'];
const DATA_IMAGE = /^data:image\/(?:png|jpeg|jpg|gif|webp);base64,[a-z0-9+/=\s]+$/i;

/** A URL as a browser reads it: surrounding C0/space removed, tabs and line breaks dropped. */
function browserUrl(value: string | undefined): string {
	return trimWhile(String(value ?? '').replace(/[\t\n\r]/g, ''), (code) => code <= 0x20);
}

function schemeOf(url: string): string | null {
	const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
	return m ? m[1].toLowerCase() : null;
}

/**
 * Sanitises mail HTML (see the module comment) and reports the kept `cid:` references and the
 * number of removed images.
 */
export function sanitizeMailHtml(
	html: string | null | undefined,
	options: SanitizeHtmlOptions = {},
): SanitizedHtml {
	const cidReferences: string[] = [];
	let blockedImages = 0;
	if (html === null || html === undefined || html === '')
		return { html: '', cidReferences, blockedImages };
	const target = options.linkTarget === undefined ? '_blank' : options.linkTarget;

	// htmlparser2 builds its tree in time quadratic in the nesting depth (1 MB of nested <b>: 48 s)
	const flat = flattenDeepHtml(String(html), MAX_HTML_DEPTH, { foreignAsTemplate: true }).html;
	const out = sanitize(flat, {
		allowedTags: ALLOWED_TAGS,
		allowedAttributes: ALLOWED_ATTRIBUTES,
		allowedStyles: ALLOWED_STYLES,
		parseStyleAttributes: true,
		nonTextTags: NON_TEXT_TAGS,
		disallowedTagsMode: 'discard',
		allowedSchemes: LINK_SCHEMES,
		allowedSchemesByTag: {
			img: [
				'cid',
				...(options.allowRemoteImages ? ['http', 'https'] : []),
				...(options.allowDataImages ? ['data'] : []),
			],
		},
		allowedSchemesAppliedToAttributes: [
			'href',
			'src',
			'cite',
			'background',
			'action',
			'formaction',
			'poster',
			'xlink:href',
		],
		allowProtocolRelative: false,
		enforceHtmlBoundary: false,
		transformTags: {
			a: (tagName, attribs) => {
				const href = browserUrl(attribs.href);
				const scheme = schemeOf(href);
				const next: Record<string, string> = {};
				if (href && scheme && LINK_SCHEMES.includes(scheme)) next.href = href;
				if (attribs.title) next.title = attribs.title;
				if (next.href) {
					next.rel = 'noopener noreferrer';
					if (target) next.target = target;
				}
				for (const a of GLOBAL_ATTRIBUTES)
					if (attribs[a] !== undefined && next[a] === undefined) next[a] = attribs[a];
				return { tagName, attribs: next };
			},
			img: (tagName, attribs) => {
				const src = browserUrl(attribs.src);
				const scheme = schemeOf(src);
				const rest: Record<string, string> = { ...attribs };
				delete rest.src;
				delete rest.srcset;
				delete rest.referrerpolicy;
				let keep = false;
				let extra: Record<string, string> = {};
				if (scheme === 'cid' && src.length > 4) {
					keep = true;
					cidReferences.push(src.slice(4).replace(/^<|>$/g, ''));
				} else if ((scheme === 'http' || scheme === 'https') && options.allowRemoteImages) {
					keep = true;
					extra = { referrerpolicy: 'no-referrer' };
				} else if (scheme === 'data' && options.allowDataImages && DATA_IMAGE.test(src)) {
					keep = true;
				} else {
					blockedImages++;
				}
				// without `src` the exclusiveFilter below removes the image
				return { tagName, attribs: keep ? { src, ...rest, ...extra } : rest };
			},
		},
		// an image without an allowed source is removed completely
		exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
	});
	return { html: out, cidReferences, blockedImages };
}

/** Sanitised HTML only; see sanitizeMailHtml. */
export function sanitizeHtml(
	html: string | null | undefined,
	options: SanitizeHtmlOptions = {},
): string {
	return sanitizeMailHtml(html, options).html;
}
