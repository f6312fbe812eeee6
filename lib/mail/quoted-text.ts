/**
 * The sender's own words of a plain-text mail: without quoted reply text, without the
 * forwarded / original message below an attribution line or an Outlook header block, and
 * (separately) without the signature. Used before `Field = Value` lines are read (R-PROC-5),
 * so that values quoted from an earlier mail are never applied again.
 *
 * Heuristic by nature; the rules are deliberately conservative about what counts as the
 * start of quoted text (an attribution line must carry a digit, i.e. a date or time, unless
 * quoted `>` lines follow it directly).
 */
import { isWhitespace } from './trim-runs';

const ATTRIBUTION_MAX_LINES = 3;

/** Attribution lines that need a digit (date/time) in them. Tested on up to 3 joined lines. */
const DATED_ATTRIBUTIONS: RegExp[] = [
	/^Am\s.+\sschrieb\b.*:$/iu, // Am 29.11.2026 um 10:00 schrieb Max <max@x.de>:
	/^On\s.+\swrote\s*:$/iu, // On Mon, Nov 29, 2026 at 10:00 AM Max <max@x.com> wrote:
	/^Le\s.+\sa\s+écrit\s*:$/iu, // Le lun. 29 nov. 2026 à 10:00, Max a écrit :
	/^El\s.+\sescribió\s*:$/iu, // El lun, 29 nov 2026 a las 10:00, Max escribió:
	/^Em\s.+\sescreveu\s*:$/iu, // Em seg., 29 de nov. de 2026 às 10:00, Max escreveu:
	/^Op\s.+\sschreef\b.*:$/iu, // Op ma 29 nov. 2026 om 10:00 schreef Max:
	/^Il\s.+\sha\s+scritto\s*:$/iu, // Il giorno lun 29 nov 2026 alle ore 10:00 Max ha scritto:
	/^(?:Den|På|Tor|Man|Ons|Fre)\s.+\s(?:skrev|skriver)\b.*:$/iu, // Den 29 nov. 2026 kl. 10:00 skrev Max:
	/^(?:W dniu|Dnia)\s.+\s(?:napisał|napisała|pisze)\b.*:$/iu,
	/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}.{0,80}\s(?:wrote|schrieb|a écrit|escribió|schreef|ha scritto|skrev)\s*:$/iu, // 29.11.2026 10:00, Max wrote:
];

/** `X wrote:` without a date: only accepted when quoted `>` lines follow. */
const BARE_ATTRIBUTION =
	/^.{1,160}\s(?:wrote|writes|schrieb|schreibt|a écrit|escribió|schreef|ha scritto|skrev|escreveu|napisał)\s*:$/iu;

const SEPARATOR_WORDS = [
	'original message',
	'ursprüngliche nachricht',
	'original-nachricht',
	'originalnachricht',
	'original nachricht',
	'forwarded message',
	'weitergeleitete nachricht',
	"message d'origine",
	'message transféré',
	'mensaje original',
	'mensagem original',
	'messaggio originale',
	'oorspronkelijk bericht',
	'doorgestuurd bericht',
	'ursprungligt meddelande',
	'oprindelig meddelelse',
	'opprinnelig melding',
	'alkuperäinen viesti',
	'wiadomość oryginalna',
];
/** The words between the fill characters of a separator line, e.g. `Original Message`. */
const SEPARATOR_TITLE = new RegExp(
	`^(?:${SEPARATOR_WORDS.join('|').replace(/ /g, '\\s*')})$`,
	'iu',
);
const isFill = (code: number) =>
	code === 0x2d || code === 0x5f || code === 0x3d || code === 0x2a || isWhitespace(code);

/**
 * `-----Original Message-----`, `---------- Forwarded message ---------`: at least two fill
 * characters (`-_=*` or blanks) on each side of a known title. Read as three parts (leading fill,
 * title, trailing fill) in one pass; a single pattern with `[-_=*\s]{2,}\s*` on both sides was
 * quadratic in a long line of fill characters (issue #11.1).
 */
function isSeparatorLine(line: string): boolean {
	let start = 0;
	while (start < line.length && isFill(line.charCodeAt(start))) start++;
	let end = line.length;
	while (end > start && isFill(line.charCodeAt(end - 1))) end--;
	if (start < 2 || line.length - end < 2) return false;
	return SEPARATOR_TITLE.test(line.slice(start, end));
}
const FORWARD_INTRO =
	/^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inizio messaggio inoltrato)\s*:$/iu;

/** Outlook / Apple header blocks that introduce the original mail. */
const HEADER_FROM = /^\*?(?:von|from|de|da|van|från|fra|od|от|lähettäjä)\s*:\*?\s*\S/iu;
const HEADER_SENT =
	/^\*?(?:gesendet|sent|date|datum|envoyé|enviado|inviato|verzonden|skickat|sendt|wysłano|отправлено|data|lähetetty)\s*:/iu;
const HEADER_TO = /^\*?(?:an|to|à|para|a|aan|till|til|do|кому|vastaanottaja)\s*:/iu;
const HEADER_SUBJECT =
	/^\*?(?:betreff|subject|objet|asunto|assunto|oggetto|onderwerp|ämne|emne|temat|тема|aihe)\s*:/iu;
const HEADER_LOOKAHEAD = 6;

function isQuoted(line: string): boolean {
	return /^\s*>/.test(line);
}

function splitLines(text: string): string[] {
	return String(text ?? '')
		.replace(/\r\n?/g, '\n')
		.split('\n');
}

function nextNonEmpty(lines: string[], from: number): string | undefined {
	for (let i = from; i < lines.length; i++) if (lines[i].trim() !== '') return lines[i];
	return undefined;
}

/** Number of lines the attribution starting at `i` spans, or 0. */
function attributionAt(lines: string[], i: number): number {
	let joined = '';
	for (let n = 1; n <= ATTRIBUTION_MAX_LINES && i + n - 1 < lines.length; n++) {
		const line = lines[i + n - 1].trim();
		if (line === '' || isQuoted(line)) return 0;
		joined = joined ? `${joined} ${line}` : line;
		if (joined.length > 400) return 0;
		if (/\d/.test(joined) && DATED_ATTRIBUTIONS.some((re) => re.test(joined))) return n;
		// an undated attribution is only accepted on one line of its own
		if (n === 1 && BARE_ATTRIBUTION.test(joined)) {
			const next = nextNonEmpty(lines, i + n);
			if (next !== undefined && isQuoted(next)) return n;
		}
	}
	return 0;
}

function headerBlockAt(lines: string[], i: number): boolean {
	if (!HEADER_FROM.test(lines[i].trim())) return false;
	let sent = false;
	let to = false;
	let subject = false;
	for (let j = i + 1; j < Math.min(lines.length, i + 1 + HEADER_LOOKAHEAD); j++) {
		const line = lines[j].trim();
		if (HEADER_SENT.test(line)) sent = true;
		if (HEADER_TO.test(line)) to = true;
		if (HEADER_SUBJECT.test(line)) subject = true;
	}
	return Number(sent) + Number(to) + Number(subject) >= 2;
}

/** Index of the first line that starts quoted / forwarded content, or -1. */
export function quotedContentStart(text: string): number {
	const lines = splitLines(text);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (line === '' || isQuoted(line)) continue;
		if (isSeparatorLine(line) || FORWARD_INTRO.test(line)) return i;
		if (headerBlockAt(lines, i)) return i;
		if (attributionAt(lines, i) > 0) return i;
	}
	return -1;
}

/**
 * The text without quoted reply content: every line starting with `>` is removed, and
 * everything from the first attribution line (`Am 29.11.2026 um 10:00 schrieb X:`,
 * `On Mon, Nov 29, 2026 at 10:00 AM X wrote:` and the like in several languages), separator
 * (`-----Original Message-----`, `-----Ursprüngliche Nachricht-----`, `---------- Forwarded
 * message ---------`) or Outlook header block (`Von: …` followed within six lines by two of
 * `Gesendet:`/`Date:`, `An:`/`To:`, `Betreff:`/`Subject:`) on is dropped. Trailing blank and `____` / `----` lines are removed too.
 * Line endings become `\n`.
 */
export function stripQuotedReply(text: string): string {
	const lines = splitLines(text);
	const cut = quotedContentStart(text);
	const kept = (cut >= 0 ? lines.slice(0, cut) : lines).filter((line) => !isQuoted(line));
	while (kept.length > 0 && /^[\s_\-=*]*$/.test(kept[kept.length - 1])) kept.pop();
	return kept.join('\n');
}

/**
 * The text without its signature: everything from the first signature delimiter line on
 * (`-- ` as RFC 3676 §4.3 defines it; `--` whose trailing space a client dropped is accepted
 * too). Line endings become `\n`.
 */
export function stripSignature(text: string): string {
	const lines = splitLines(text);
	const at = lines.findIndex((line) => /^--[ \t]*$/.test(line));
	const kept = at >= 0 ? lines.slice(0, at) : lines;
	while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
	return kept.join('\n');
}

/** The sender's own text: quoted reply content and signature removed. */
export function ownText(text: string): string {
	return stripSignature(stripQuotedReply(text));
}
