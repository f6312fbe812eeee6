/**
 * Multipart boundaries that end in whitespace (issue #13 item 8, "a multipart with a very long
 * boundary loses lines and shows the closing boundary"; the case is mime4j's
 * testmsgs/very-long-boundary.msg in the corpus).
 *
 * What happens without this: RFC 2046 §5.1.1 does not allow a boundary to end in a space, but
 * senders write `boundary="...xyz  "` anyway. mailparser's splitter (@zone-eu/mailsplit
 * 5.4.30, mime-node.js) drops the trailing whitespace from the boundary, as Python's email
 * package does, because a delimiter line may carry trailing whitespace anyway. The declared
 * boundary is then a different string than the sender used:
 * - a body line that is the boundary minus one of its trailing spaces counts as a delimiter, so
 *   the lines after it are read as the headers of a new part and lost;
 * - the closing line `--...xyz  --` is no delimiter any more (after the shortened boundary come
 *   spaces, then `--`), so the closing boundary and the epilogue show up in the text.
 * The length of the boundary does not matter (a 200-character boundary without trailing spaces
 * parses completely); the trailing whitespace does.
 *
 * What we do, before mailparser sees the message: every quoted boundary parameter that ends in
 * whitespace is replaced by a fresh token without whitespace, and so is every line that is that
 * boundary exactly as declared (plus the closing `--` and trailing whitespace, RFC 2046's
 * transport padding). Lines that only resemble it stay body text. The work is linear: one scan
 * for the parameters, one pass over the lines (a hash lookup per line that starts with `--`),
 * at most MAX_REWRITTEN_BOUNDARIES boundaries rewritten per mail.
 */
import { createHash } from 'node:crypto';

/** Distinct whitespace-ending boundaries rewritten in one mail; more stay as they are. */
export const MAX_REWRITTEN_BOUNDARIES = 16;

const BOUNDARY_PARAM = /(boundary[ \t]*=[ \t]*")([^"\r\n]*)"/gi;
const ENDS_IN_WHITESPACE = /[ \t]$/;
const DELIMITER_LINE = /^--[^\r\n]*/gm;
const PADDING_OR_CLOSE = /^(--)?[ \t]*$/;

/** The raw message with whitespace-ending boundaries replaced (see the module comment). */
export function withUsableBoundaries(raw: Buffer): Buffer {
	const text = raw.toString('latin1');
	/** declared boundary → its replacement */
	const replacements = new Map<string, string>();
	for (const match of text.matchAll(BOUNDARY_PARAM)) {
		const declared = match[2];
		if (!ENDS_IN_WHITESPACE.test(declared) || declared.trim() === '') continue;
		if (replacements.has(declared)) continue;
		if (replacements.size === MAX_REWRITTEN_BOUNDARIES) break;
		const token = `mailcases_${createHash('sha256').update(declared, 'latin1').digest('hex').slice(0, 32)}`;
		if (text.includes(token)) continue;
		replacements.set(declared, token);
	}
	if (replacements.size === 0) return raw;
	/** boundary without its trailing whitespace → the declared boundaries that shorten to it */
	const byTrimmed = new Map<string, string[]>();
	for (const declared of replacements.keys()) {
		const key = declared.trimEnd();
		byTrimmed.set(key, [...(byTrimmed.get(key) ?? []), declared]);
	}
	const rewritten = text
		.replace(BOUNDARY_PARAM, (whole, start: string, declared: string) => {
			const token = replacements.get(declared);
			return token ? `${start}${token}"` : whole;
		})
		.replace(DELIMITER_LINE, (line) => {
			const value = line.slice(2).trimEnd();
			const candidates = [
				...(byTrimmed.get(value) ?? []),
				...((value.endsWith('--') && byTrimmed.get(value.slice(0, -2).trimEnd())) || []),
			];
			for (const declared of candidates) {
				if (!line.startsWith(declared, 2)) continue;
				const rest = line.slice(2 + declared.length);
				const padding = PADDING_OR_CLOSE.exec(rest);
				if (padding) return `--${replacements.get(declared)}${padding[1] ?? ''}`;
			}
			return line;
		});
	return Buffer.from(rewritten, 'latin1');
}
