import type { MailFilter } from './context';

/**
 * Default subject keywords of auto-replies (R-PROC-7). German and English first, then the
 * usual out-of-office subjects of other languages. Deliberately no words a person would put
 * into a real request (no "Urlaub", "vacation", "absence").
 */
export const DEFAULT_IGNORE_SUBJECT_KEYWORDS: readonly string[] = Object.freeze([
	'Abwesenheit',
	'Automatische Antwort',
	'Automatische Abwesenheitsnotiz',
	'Out of office',
	'Out of the office',
	'Automatic reply',
	'Auto reply',
	'Auto-reply',
	'Autoreply',
	'Auto response',
	'Auto-response',
	'Autoresponse',
	'Réponse automatique',
	'Absence du bureau',
	'Risposta automatica',
	'Respuesta automática',
	'Automatisch antwoord',
	'Automatisk svar',
	'Autosvar',
	'Automatická odpověď',
	'Odpowiedź automatyczna',
]);

export function normalizeForMatch(value: string): string {
	return value.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * true when `keyword` occurs in `subject` where a word starts (case-insensitive, blanks
 * collapsed): "Abwesenheit" matches "AW: Abwesenheitsnotiz" but not "Nichtabwesenheit".
 */
export function subjectHasKeyword(subject: string, keyword: string): boolean {
	return hasKeyword(normalizeForMatch(subject), keyword);
}

/** subjectHasKeyword on a subject already normalised (normalizeForMatch). */
function hasKeyword(haystack: string, keyword: string): boolean {
	const needle = normalizeForMatch(keyword);
	if (!needle) return false;
	for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
		const before = at > 0 ? haystack[at - 1] : '';
		if (!before || !WORD_CHAR.test(before) || !WORD_CHAR.test(needle[0])) return true;
	}
	return false;
}

/**
 * Configured subject keywords (R-PROC-7) → autoReply, as a subject-only vote: a mail with a
 * case reference or answering a mail we sent stays normal (issue #13, see own-thread.ts).
 */
export const subjectKeywords: MailFilter = (ctx) => {
	const { subject } = ctx.message;
	if (!subject) return;
	// normalised once, not once per keyword: a 1 MB subject costs one pass, not 21
	const haystack = normalizeForMatch(subject);
	const found = ctx.options.keywords.find((k) => hasKeyword(haystack, k));
	if (found !== undefined)
		ctx.hit('autoReply', `subject contains "${found}"`, { subjectOnly: true });
};
