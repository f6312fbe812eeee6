/**
 * #11.2 bounded work: the limits of lib/mail/limits.ts for Field lines and subjects. At each
 * limit the result is the same as without a limit; beyond it the reading is cut with a note
 * (or the value is invalid), never an error. The large inputs (≥ 1 MB) would hang or fail if
 * the work grew faster than the input.
 */
import { extractCaseNumbers } from '../../../lib/cases/case-number';
import { parseFieldLines, parseFieldLinesLoose } from '../../../lib/cases/field-lines';
import { planFieldUpdates } from '../../../lib/cases/field-updates';
import { normalizeFieldValue } from '../../../lib/cases/field-values';
import { mailExcerpt } from '../../../lib/cases/compose-notification';
import {
	MAX_FIELD_LINES,
	MAX_FIELD_NAME_LENGTH,
	MAX_FIELD_TEXT_LENGTH,
	MAX_FIELD_VALUE_LENGTH,
	MAX_SUBJECT_SCAN,
} from '../../../lib/mail/limits';

const numbered = (from: number, count: number) =>
	Array.from({ length: count }, (_, i) => `Feld${from + i} = ${from + i}`);

describe('#11.2 MAX_FIELD_TEXT_LENGTH: text read for Field lines and quoted-text detection', () => {
	test('a Field line ending exactly at the limit is read, without a note', () => {
		const line = 'Name = Ende';
		const text = `${'x'.repeat(MAX_FIELD_TEXT_LENGTH - line.length - 1)}\n${line}`;
		expect(text.length).toBe(MAX_FIELD_TEXT_LENGTH);
		const result = parseFieldLines(text);
		expect(result.fields).toEqual({ Name: 'Ende' });
		expect(result.notes).toBeUndefined();
	});

	test('beyond the limit: lines before it are read, the line crossing it and all after are not, with a note', () => {
		const filler = `${'Text ohne Felder. '.repeat(60)}\n`;
		const head = `Name = Anfang\n${filler.repeat(Math.ceil(MAX_FIELD_TEXT_LENGTH / filler.length))}`;
		const text = `${head}Name = Ende\nOrt = Berlin\n${filler.repeat(200)}`;
		expect(text.length).toBeGreaterThan(MAX_FIELD_TEXT_LENGTH);
		const result = parseFieldLines(text);
		expect(result.fields).toEqual({ Name: 'Anfang' });
		expect(result.notes).toEqual([
			expect.stringMatching(
				new RegExp(
					`^Only the first \\d+ of ${text.length} characters of the mail text were read for Field lines \\(limit ${MAX_FIELD_TEXT_LENGTH}\\)\\.$`,
				),
			),
		]);
	});

	test('a 4 MB text of one line (no line end within the limit) is cut at the limit', () => {
		const result = parseFieldLines(`Name = ${'y'.repeat(4 * 1024 * 1024)}`);
		expect(result.fields).toEqual({});
		expect(result.notes).toHaveLength(1);
	}, 120_000);

	test('an HTML-only mail of 2 MB: the converted text is cut, the first Field line counts', () => {
		const html = `<p>Name = Muster</p>${'<p>Absatz ohne Felder, ein wenig Text.</p>'.repeat(50_000)}<p>Ort = Spät</p>`;
		expect(html.length).toBeGreaterThan(2_000_000);
		const result = parseFieldLines({ html });
		expect(result.fields).toEqual({ Name: 'Muster' });
		expect(result.notes).toHaveLength(1);
	}, 120_000);

	test('quoted-text detection sees only the text within the limit (includeQuoted or not)', () => {
		const text = `Name = Neu\n${'> zitiert\n'.repeat(300_000)}Am 1.1.2026 schrieb x:\nName = Alt`;
		expect(parseFieldLines(text).fields).toEqual({ Name: 'Neu' });
		expect(parseFieldLines(text, { includeQuoted: true }).fields).toEqual({ Name: 'Neu' });
	}, 120_000);

	test('the notification excerpt searches quoted text only within the limit (4 MB text)', () => {
		const text = `Bitte um Rückruf.\n${'> zitiert\n'.repeat(400_000)}`;
		expect(mailExcerpt({ text }, 100)).toBe('Bitte um Rückruf.');
	}, 120_000);

	test('planFieldUpdates (Create Case, Add to Case) passes the note on', () => {
		const text = `Name = A\n${'z'.repeat(MAX_FIELD_TEXT_LENGTH)}`;
		const plan = planFieldUpdates(text, [{ name: 'Name', type: 'text' }]);
		expect(plan.updates).toEqual({ Name: 'A' });
		expect(plan.notes).toHaveLength(1);
		expect(planFieldUpdates('Name = A', [{ name: 'Name', type: 'text' }]).notes).toBeUndefined();
	});
});

describe('#11.2 MAX_FIELD_LINES: Field lines taken from one mail', () => {
	test('exactly the limit: every line is taken, no note', () => {
		const result = parseFieldLines(numbered(1, MAX_FIELD_LINES).join('\n'));
		expect(Object.keys(result.fields)).toHaveLength(MAX_FIELD_LINES);
		expect(result.notes).toBeUndefined();
	});

	test('one more: the first MAX_FIELD_LINES are taken, the last is ignored with a note', () => {
		const result = parseFieldLines(numbered(1, MAX_FIELD_LINES + 1).join('\n'));
		expect(Object.keys(result.fields)).toHaveLength(MAX_FIELD_LINES);
		expect(result.fields[`Feld${MAX_FIELD_LINES + 1}`]).toBeUndefined();
		expect(result.notes).toEqual([
			`Only the first ${MAX_FIELD_LINES} of ${MAX_FIELD_LINES + 1} Field lines were read (limit ${MAX_FIELD_LINES}); the others were ignored.`,
		]);
	});

	test('a later line of the same field beyond the limit does not override (last wins only within it)', () => {
		const text = [...numbered(1, MAX_FIELD_LINES - 1), 'Name = gilt', 'Name = ignoriert'].join(
			'\n',
		);
		expect(parseFieldLinesLoose(text).Name).toBe('gilt');
	});

	test('100,000 Field lines (≥ 1 MB, within the text limit only the first part): 200 taken', () => {
		const text = numbered(1, 100_000).join('\n');
		expect(text.length).toBeGreaterThan(1_000_000);
		const result = parseFieldLines(text);
		expect(Object.keys(result.fields)).toHaveLength(MAX_FIELD_LINES);
		expect(result.fields.Feld1).toBe('1');
		expect(result.notes).toHaveLength(2);
	}, 120_000);
});

describe('#11.2 MAX_FIELD_VALUE_LENGTH and MAX_FIELD_NAME_LENGTH', () => {
	test('a value of exactly the limit is valid, one character more is invalid (every type)', () => {
		const at = 'a'.repeat(MAX_FIELD_VALUE_LENGTH);
		expect(normalizeFieldValue(at, { type: 'text' })).toEqual({ ok: true, value: at });
		const reason = `longer than ${MAX_FIELD_VALUE_LENGTH} characters`;
		for (const type of ['text', 'number', 'date', 'boolean'] as const) {
			expect(normalizeFieldValue(`${at}1`, { type })).toEqual({ ok: false, reason });
		}
	});

	test('the value limit counts characters, not UTF-16 units', () => {
		const emoji = '😀'.repeat(MAX_FIELD_VALUE_LENGTH);
		expect(normalizeFieldValue(emoji, { type: 'text' }).ok).toBe(true);
		expect(normalizeFieldValue(`${emoji}😀`, { type: 'text' }).ok).toBe(false);
	});

	test('a 200 KB value is reported as invalid with field and reason, not applied', () => {
		const value = 'v'.repeat(200_000);
		const result = parseFieldLines(`Name = ${value}`, { knownFields: [{ name: 'Name' }] });
		expect(result.fields).toEqual({});
		expect(result.invalid).toEqual([
			{ field: 'Name', value, reason: `longer than ${MAX_FIELD_VALUE_LENGTH} characters` },
		]);
	});

	test('a name of MAX_FIELD_NAME_LENGTH characters is a field name, a longer one is not', () => {
		const name = 'N'.repeat(MAX_FIELD_NAME_LENGTH);
		expect(parseFieldLinesLoose(`${name} = 1`)).toEqual({ [name]: '1' });
		expect(parseFieldLinesLoose(`${name}N = 1`)).toEqual({});
	});
});

describe('#11.2 MAX_SUBJECT_SCAN: characters of a subject searched for case numbers', () => {
	const reference = '[#2026-000123]';

	test('a reference ending exactly at the limit is found, one starting after it is not', () => {
		const at = `${'x'.repeat(MAX_SUBJECT_SCAN - reference.length - 1)} ${reference}`;
		expect(at.length).toBe(MAX_SUBJECT_SCAN);
		expect(extractCaseNumbers(at)).toEqual(['2026-000123']);
		expect(extractCaseNumbers(`${'x'.repeat(reference.length)}${at}`)).toEqual([]);
	});

	test('a 1 MB subject gives the reference at its start', () => {
		expect(extractCaseNumbers(`AW: ${reference} ${'Vorgang 2026-000999 '.repeat(60_000)}`)).toEqual(
			['2026-000123', '2026-000999'],
		);
	}, 120_000);
});
