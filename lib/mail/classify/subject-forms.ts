import { MAX_SUBJECT_SCAN } from '../limits';
import type { MailFilter } from './context';
import { normalizeForMatch } from './subject-keywords';

/**
 * Subject forms that mail systems give the automatic replies they write, German and English.
 * Only forms a mail system generates, at the place it puts them: a person does not start a
 * subject with "Automatic reply:" (the words alone, e.g. "Urlaub", "vacation", are no sign).
 * Compared case-insensitively with blanks collapsed. Sources: Exchange / Outlook (Automatic
 * reply, Automatische Antwort, Out of Office, Out of Office AutoReply, Abwesend), Alaveteli's
 * reply handler and Exim's auto-reply guide (Out of Office, Auto-Reply, Autoresponse, "… is out
 * of the office" of Lotus Notes / Domino, "(Auto Reply)", "(Out of Office)", Yahoo! Auto
 * Response), Lotus Notes in German (Abwesenheitsnotiz), FreeScout issue #513 (Automatische
 * Antwort).
 */
/** Prefixes, each followed by a colon (`:` or the full-width `：`, blanks allowed before it). */
const PREFIXES: readonly string[] = [
	'automatic reply',
	'automatische antwort',
	'out of office',
	'out of office autoreply',
	'out of office reply',
	'out of the office',
	'auto reply',
	'auto-reply',
	'autoreply',
	'auto response',
	'auto-response',
	'autoresponse',
	'automatic response',
	'abwesend',
	'abwesenheitsnotiz',
	'automatische abwesenheitsnotiz',
	'autoantwort',
	'automatische rückantwort',
];
/** Whole subjects. */
const WHOLE: ReadonlySet<string> = new Set([
	'out of office',
	'out of office reply',
	'automatic reply',
	'auto reply',
	'autoreply',
	'yahoo! auto response',
	'abwesenheitsnotiz',
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
