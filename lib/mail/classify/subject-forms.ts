import { MAX_SUBJECT_SCAN } from '../limits';
import type { MailFilter } from './context';
import { normalizeForMatch } from './subject-keywords';

/*
 * Subject forms that mail systems give the automatic replies they write, German and English.
 * Only forms a mail system generates, at the place it puts them: a person does not start a
 * subject with "Automatic reply:" (the words alone, e.g. "Urlaub", "vacation", are no sign).
 * Compared case-insensitively with blanks collapsed. Sources:
 * - Alaveteli's reply handler (is_oof?): "Out of Office:", "Automatic reply:", "Out of Office
 *   AutoReply:", the whole subjects "Out of Office" and "Out of Office Reply", and Lotus Notes /
 *   Domino's "<name> is out of the office";
 * - Exim's auto-reply guide: "Auto-Reply:", "Autoresponse:", "… (Auto Reply)", "… (Out of
 *   Office)", "… is out of the office.", "Yahoo! Auto Response";
 * - FreeScout issue #513: Exchange's German "Automatische Antwort:";
 * - an ITSM mail listener's auto-reply list: Exchange's German "Abwesend:";
 * - other projects' auto-reply tests: "Abwesenheitsnotiz:";
 * - spelling variants of these (Auto Reply, AutoReply, Auto Response, Automatic response).
 */
/** Prefixes, each followed by a colon (`:` or the full-width `：`, one blank allowed before it). */
const PREFIXES: readonly string[] = [
	'automatic reply',
	'automatische antwort',
	'out of office',
	'out of office autoreply',
	'auto reply',
	'auto-reply',
	'autoreply',
	'auto response',
	'auto-response',
	'autoresponse',
	'automatic response',
	'abwesend',
	'abwesenheitsnotiz',
];
/** Whole subjects. */
const WHOLE: ReadonlySet<string> = new Set([
	'out of office',
	'out of office reply',
	'yahoo! auto response',
]);
/** Endings (Lotus Notes / Domino: "Erika Muster/DE/Example is out of the office."). */
const SUFFIXES: readonly string[] = [
	' is out of the office',
	' is out of the office.',
	'(auto reply)',
	'(out of office)',
];

/** The form the (normalised) subject starts or ends with, or undefined. */
export function autoReplySubjectForm(subject: string): string | undefined {
	const text = normalizeForMatch(subject.slice(0, MAX_SUBJECT_SCAN));
	if (WHOLE.has(text)) return text;
	for (const prefix of PREFIXES) {
		if (!text.startsWith(prefix)) continue;
		let at = prefix.length;
		if (text[at] === ' ') at++;
		if (text[at] === ':' || text[at] === '：') return `${prefix}:`;
	}
	return SUFFIXES.find((suffix) => text.endsWith(suffix));
}

/**
 * Auto-reply subject forms (issue #13) → autoReply, as a subject-only vote: a mail with a case
 * reference or answering a mail we sent stays normal (see own-thread.ts).
 */
export const subjectForms: MailFilter = (ctx) => {
	if (!ctx.options.subjectForms || !ctx.message.subject) return;
	const form = autoReplySubjectForm(ctx.message.subject);
	if (form !== undefined)
		ctx.hit('autoReply', `subject has the auto-reply form "${form}"`, { subjectOnly: true });
};
