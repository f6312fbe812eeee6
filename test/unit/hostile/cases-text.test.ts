/**
 * #11.1 adversarial suite, case side: Field lines, case numbers, addresses and thread ids get
 * generated worst cases of at least 1 MB (test/support/hostile-inputs.ts) and must return the
 * right result. No timing asserts; the per-test timeout turns a blow-up into a failure.
 */
import {
	extractCaseNumbers,
	findCaseNumbers,
	MAX_SUBJECT_SCAN,
} from '../../../lib/cases/case-number';
import { fieldLines, parseFieldLines } from '../../../lib/cases/field-lines';
import {
	parseBooleanValue,
	parseDateValue,
	parseNumberValue,
} from '../../../lib/cases/field-values';
import { messageIdsIn } from '../../../lib/mail/message-id';
import { normalizeAddress } from '../../../lib/cases/sender-policy';
import { parseAddressList, validMailbox } from '../../../lib/mail/address';
import * as h from '../../support/hostile-inputs';

const MB = h.MB;
jest.setTimeout(60_000);

describe('#11.1 hostile: Field lines', () => {
	it('#11.1 hostile: a 1 MB name that never reaches "=" is no Field line; the next line is', () => {
		expect(fieldLines(h.fieldNameRun(MB))).toEqual([{ name: 'Status', value: 'offen' }]);
	});

	it('#11.1 hostile: 1 MB of bulleted Field lines: read up to the limits, last value wins', () => {
		const result = parseFieldLines(h.fieldLinesText(MB));
		expect(result.fields).toEqual({ Status: 'offen' });
		expect(result.unknown).toEqual([]);
		expect(result.notes?.length).toBeGreaterThan(0);
	});
});

describe('#11.1 hostile: Field values (number, date, yes/no)', () => {
	it('#11.1 hostile: 1 MB numbers with grouping, near misses, dates and yes/no read right', () => {
		const groups = h.repeats(' 000', MB);
		expect(parseNumberValue(`1${h.fill(' 000', MB)}`)).toEqual({
			ok: true,
			value: `1${'000'.repeat(groups)}`,
		});
		expect(parseNumberValue(`1${h.fill(' 1', MB)}.`).ok).toBe(false);
		expect(parseNumberValue(`${h.fill('1.', MB)}x`).ok).toBe(false);
		expect(parseDateValue(h.fill('1.', MB)).ok).toBe(false);
		expect(parseBooleanValue(`${h.fill(' ', MB)}ja`)).toEqual({ ok: true, value: 'true' });
	});
});

describe('#11.1 hostile: case numbers', () => {
	it('#11.1 hostile: a 1 MB digit run touching a letter is no case number, below and above the scan cap', () => {
		// within the scan cap the run ends in a letter: the number touches it → none
		expect(findCaseNumbers(h.caseNumberDigits(MAX_SUBJECT_SCAN - 10))).toEqual([]);
		// a 1 MB subject is read only to MAX_SUBJECT_SCAN: the same as its first part
		const long = h.caseNumberDigits(MB);
		expect(findCaseNumbers(long)).toEqual(findCaseNumbers(long.slice(0, MAX_SUBJECT_SCAN)));
	});

	it('#11.1 hostile: 1 MB of near misses (short sequences, unclosed references, bare #) finds nothing', () => {
		expect(extractCaseNumbers(h.caseNumberNearMisses(MB))).toEqual([]);
		expect(extractCaseNumbers(h.caseNumberNearMisses(MAX_SUBJECT_SCAN))).toEqual([]);
	});

	it('#11.1 hostile: a reference within the scan cap is found in a 1 MB subject; one past it is not read', () => {
		const prefixes = h.fill('AW: ', MAX_SUBJECT_SCAN - 100);
		expect(extractCaseNumbers(`${prefixes}[#2026-000123] ${h.fill('Frage ', MB)}`)).toEqual([
			'2026-000123',
		]);
		expect(extractCaseNumbers(`${h.fill('AW: ', MB)}[#2026-000123] Frage`)).toEqual([]);
	});
});

describe('#11.1 hostile: addresses and thread ids', () => {
	it('#11.1 hostile: a 1 MB local part or a run of @ is no address', () => {
		expect(parseAddressList(h.addressRun(MB))).toEqual([]);
		expect(parseAddressList(h.addressAts(MB))).toEqual([]);
		expect(validMailbox(h.addressRun(MB))).toBeNull();
		expect(normalizeAddress(h.addressAts(MB))).toBeNull();
		expect(normalizeAddress(h.fill('@', MB))).toBeNull();
	});

	it('#11.1 hostile: 1 MB of unclosed < gives no thread id; ids after a long run are found', () => {
		expect(messageIdsIn(h.messageIdOpen(MB))).toEqual([]);
		expect(messageIdsIn(`${h.fill('<a ', MB)}<x@y>`)).toEqual(['<x@y>']);
	});
});
