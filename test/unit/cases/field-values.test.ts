import {
	normalizeFieldValue,
	parseBooleanValue,
	parseDateValue,
	parseNumberValue,
} from '../../../lib/cases/field-values';

describe('R-PROC-5: number values', () => {
	test.each([
		['1234.56', '1234.56'],
		['1234,56', '1234.56'],
		['1.234,56', '1234.56'],
		['1,234.56', '1234.56'],
		['1.234.567', '1234567'],
		['1,234,567', '1234567'],
		['1.234.567,89', '1234567.89'],
		['1 234,56', '1234.56'],
		['1\u00a0234,56', '1234.56'],
		["1'234.56", '1234.56'],
		['1234.567', '1234.567'],
		['0,5', '0.5'],
		['0.123', '0.123'],
		['1,5', '1.5'],
		['42', '42'],
		['007', '7'],
		['0', '0'],
		['-3', '-3'],
		['−3,5', '-3.5'],
		['+3', '3'],
		['-0', '0'],
		['  12  ', '12'],
		['12345678901234567890,5', '12345678901234567890.5'],
	])('%j → %j', (raw, expected) => {
		expect(parseNumberValue(raw)).toEqual({ ok: true, value: expected });
	});

	test.each([
		['abc'],
		['12a'],
		['1e5'],
		['1.2.3,4.5'],
		['12.34.56'],
		['1.2345,6'],
		['1,234.5,6'],
		['1.'],
		[',5'],
		['--1'],
		['1 234 5'],
		['€ 12'],
		['12 €'],
		[''],
	])('rejects %j', (raw) => {
		expect(parseNumberValue(raw).ok).toBe(false);
	});

	test('a single separator followed by exactly three digits is ambiguous', () => {
		for (const raw of ['1.234', '1,234', '12.500', '999,000']) {
			const result = parseNumberValue(raw);
			expect(result.ok).toBe(false);
			expect(result.ok === false && result.reason).toMatch(/ambiguous/);
		}
	});

	test('decimalSeparator resolves the ambiguity', () => {
		expect(parseNumberValue('1.234', { decimalSeparator: ',' })).toEqual({
			ok: true,
			value: '1234',
		});
		expect(parseNumberValue('1.234', { decimalSeparator: '.' })).toEqual({
			ok: true,
			value: '1.234',
		});
		expect(parseNumberValue('1,234', { decimalSeparator: ',' })).toEqual({
			ok: true,
			value: '1.234',
		});
		expect(parseNumberValue('1,234', { decimalSeparator: '.' })).toEqual({
			ok: true,
			value: '1234',
		});
	});
});

describe('R-PROC-5: date values', () => {
	test.each([
		['2026-11-29', '2026-11-29'],
		['2026-1-5', '2026-01-05'],
		['29.11.2026', '2026-11-29'],
		['5.1.2026', '2026-01-05'],
		['29. 11. 2026', '2026-11-29'],
		['29.02.2028', '2028-02-29'],
	])('%j → %j', (raw, expected) => {
		expect(parseDateValue(raw)).toEqual({ ok: true, value: expected });
	});

	test.each([
		['31.02.2026', /no such date/],
		['2026-13-01', /no such date/],
		['29.02.2027', /no such date/],
		['00.01.2026', /no such date/],
		['29.11.26', /two-digit year/],
		['11/29/2026', /not a date/],
		['2026-11-29T10:00', /not a date/],
		['morgen', /not a date/],
		['0999-01-01', /no such date/],
	])('rejects %j', (raw, reason) => {
		const result = parseDateValue(raw);
		expect(result.ok).toBe(false);
		expect(result.ok === false && result.reason).toMatch(reason);
	});
});

describe('R-PROC-5: boolean values', () => {
	test.each([
		['ja', 'true'],
		['Ja', 'true'],
		['JA', 'true'],
		['yes', 'true'],
		['true', 'true'],
		['wahr', 'true'],
		['1', 'true'],
		['j', 'true'],
		['nein', 'false'],
		['Nein', 'false'],
		['no', 'false'],
		['false', 'false'],
		['falsch', 'false'],
		['0', 'false'],
		['n', 'false'],
	])('%j → %j', (raw, expected) => {
		expect(parseBooleanValue(raw)).toEqual({ ok: true, value: expected });
	});

	test.each([['vielleicht'], ['2'], ['jein'], ['on']])('rejects %j', (raw) => {
		expect(parseBooleanValue(raw).ok).toBe(false);
	});
});

describe('R-PROC-5: normalizeFieldValue', () => {
	test('text is trimmed, control characters removed, tabs kept inside', () => {
		expect(normalizeFieldValue('  Müller\u0007 ', { type: 'text' })).toEqual({
			ok: true,
			value: 'Müller',
		});
		expect(normalizeFieldValue('a\tb', {})).toEqual({ ok: true, value: 'a\tb' });
	});

	test('an empty value clears any field type', () => {
		for (const type of ['text', 'number', 'date', 'boolean'] as const) {
			expect(normalizeFieldValue('  ', { type })).toEqual({ ok: true, value: '' });
		}
	});

	test('maxLength of text counts characters, not UTF-16 units', () => {
		expect(normalizeFieldValue('äöü', { type: 'text', maxLength: 3 })).toEqual({
			ok: true,
			value: 'äöü',
		});
		expect(normalizeFieldValue('😀😀', { type: 'text', maxLength: 2 })).toEqual({
			ok: true,
			value: '😀😀',
		});
		expect(normalizeFieldValue('abcd', { type: 'text', maxLength: 3 }).ok).toBe(false);
	});

	test('dispatches by type', () => {
		expect(normalizeFieldValue('1.234,5', { type: 'number' })).toEqual({
			ok: true,
			value: '1234.5',
		});
		expect(normalizeFieldValue('29.11.2026', { type: 'date' })).toEqual({
			ok: true,
			value: '2026-11-29',
		});
		expect(normalizeFieldValue('ja', { type: 'boolean' })).toEqual({ ok: true, value: 'true' });
	});
});
