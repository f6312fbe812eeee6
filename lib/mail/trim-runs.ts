/**
 * Trimming a run of characters at the start or end of a text in one pass.
 *
 * Patterns such as `/[ \t]+$/gm`, `/\s*$/` or `/[.,]+$/` look harmless but are quadratic: on a
 * long run of those characters followed by anything else, the regex engine scans the run again
 * from each of its positions (a 80 KB run of spaces took 20 s). Mail text is written by
 * strangers (issue #11.1), so such trimming is done here, linearly, instead.
 */

/** A set of UTF-16 code units, e.g. `codesOf(' \t')`. */
export type CodeTest = (code: number) => boolean;

export function codesOf(chars: string): CodeTest {
	const set = new Set<number>();
	for (let i = 0; i < chars.length; i++) set.add(chars.charCodeAt(i));
	return (code) => set.has(code);
}

/** What `\s` matches (and `String.prototype.trim` removes). */
export const isWhitespace = codesOf(
	'\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff',
);

/** Space and tab. */
export const isBlank: CodeTest = (code) => code === 0x20 || code === 0x09;

/** `text` without the trailing characters that `drop` accepts. */
export function trimEndWhile(text: string, drop: CodeTest): string {
	let end = text.length;
	while (end > 0 && drop(text.charCodeAt(end - 1))) end--;
	return end === text.length ? text : text.slice(0, end);
}

/** `text` without the leading characters that `drop` accepts. */
export function trimStartWhile(text: string, drop: CodeTest): string {
	let start = 0;
	while (start < text.length && drop(text.charCodeAt(start))) start++;
	return start === 0 ? text : text.slice(start);
}

/** `text` without the leading and trailing characters that `drop` accepts. */
export function trimWhile(text: string, drop: CodeTest): string {
	return trimStartWhile(trimEndWhile(text, drop), drop);
}

/** Every `\n`-separated line without trailing spaces and tabs (linear `replace(/[ \t]+$/gm, '')`). */
export function trimLineEnds(text: string): string {
	return text
		.split('\n')
		.map((line) => trimEndWhile(line, isBlank))
		.join('\n');
}
