/**
 * The page frame of the agent desk (#18): a complete HTML document with a strict Content
 * Security Policy and escaped text. Every value shown came from a stranger's mail, so text and
 * attribute values go through `escapeHtml` (the five characters that end text or a quoted
 * attribute: `& < > " '` — all that is needed inside double-quoted attributes and element text;
 * no library adds anything for that) and URLs through `safeHref`.
 */
import { escapeHtml } from '../mail/display-text';

export { escapeHtml };

/**
 * No scripts, no plugins, no loads from anywhere: styles inline only (the page's own and the
 * sanitised mails'), images only as data: URLs, frames only as srcdoc, forms nowhere, no base.
 */
export const DESK_CSP =
	"default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'none'; base-uri 'none'; object-src 'none'; script-src 'none'";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2430;background:#f5f6f8}
header{background:#2d3142;color:#fff;padding:12px 24px}header a{color:#cfd8ff}
main{padding:16px 24px;max-width:1200px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e5ea;vertical-align:top}
th{background:#eceef3;font-weight:600}
.muted{color:#6b7080}.nav{margin:12px 0}.nav a,.nav span{margin-right:12px}
.activity{background:#fff;border:1px solid #e3e5ea;border-radius:6px;margin:10px 0;padding:10px 14px}
.activity .head{font-weight:600}.activity pre{white-space:pre-wrap;word-break:break-word;font:13px/1.4 ui-monospace,monospace;margin:8px 0}
.kind-note{border-left:4px solid #e0a100}.kind-field_change{border-left:4px solid #7a7f8c}
.kind-incoming_mail{border-left:4px solid #2f6fde}.kind-outgoing_mail{border-left:4px solid #2e9d5b}
.failure{border-left:4px solid #d0312d}
iframe{width:100%;height:320px;border:1px solid #e3e5ea;background:#fff}
.actions a{display:inline-block;margin:0 8px 8px 0;padding:6px 12px;background:#2f6fde;color:#fff;border-radius:4px;text-decoration:none}
`;

/** A complete page: doctype, charset, CSP, no referrer, the desk's style, `body` as given (already escaped). */
export function page(title: string, body: string): string {
	return [
		'<!DOCTYPE html>',
		'<html lang="en">',
		'<head>',
		'<meta charset="utf-8">',
		`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(DESK_CSP)}">`,
		'<meta name="referrer" content="no-referrer">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		`<title>${escapeHtml(title)}</title>`,
		`<style>${STYLE}</style>`,
		'</head>',
		`<body>${body}</body>`,
		'</html>',
	].join('\n');
}

/** Text of a value for people: '' for null/undefined, ISO date-time for dates. */
export function text(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 16).replace('T', ' ');
	return String(value);
}

/** Escaped text of a value. */
export function t(value: unknown): string {
	return escapeHtml(text(value));
}

/**
 * A link target built by the desk itself (base URL + encoded parts). Anything that is not
 * http(s) or a path (e.g. `javascript:`) becomes `#`.
 */
export function safeHref(url: string): string {
	const u = url.trim();
	if (/^https?:\/\//i.test(u)) return u;
	if (u.startsWith('//') || /^[^/?#]*:/.test(u)) return '#';
	return u;
}

/** `<a href="…">text</a>` with both escaped. */
export function link(url: string, label: string): string {
	return `<a href="${escapeHtml(safeHref(url))}">${escapeHtml(label)}</a>`;
}

/** The base URL without trailing slashes. */
export function trimBase(baseUrl: string | undefined): string {
	let base = (baseUrl ?? '').trim();
	while (base.endsWith('/')) base = base.slice(0, -1);
	return base;
}
