/** #11.1: the linear replacements for `/[set]+$/`-style trimming give the same results. */
import {
	codesOf,
	isBlank,
	isWhitespace,
	trimEndWhile,
	trimLineEnds,
	trimStartWhile,
	trimWhile,
} from '../../../lib/mail/trim-runs';

describe('#11.1 trim-runs', () => {
	const samples = [
		'',
		' ',
		'a',
		' a ',
		'\t a b \t',
		'a\u00a0\u3000',
		'\ufeff x \u2028',
		'..a..',
		'a. .',
	];

	it('#11.1 isWhitespace is exactly what \\s matches', () => {
		for (let code = 0; code < 0x10000; code++)
			expect([code, isWhitespace(code)]).toEqual([code, /\s/.test(String.fromCharCode(code))]);
	});

	it('#11.1 trimming equals the regex forms it replaces', () => {
		const dotOrSpace = (c: number) => c === 0x2e || isWhitespace(c);
		for (const s of samples) {
			expect(trimEndWhile(s, isWhitespace)).toBe(s.replace(/\s+$/, ''));
			expect(trimStartWhile(s, isWhitespace)).toBe(s.replace(/^\s+/, ''));
			expect(trimWhile(s, dotOrSpace)).toBe(s.replace(/^[.\s]+|[.\s]+$/g, ''));
			expect(trimEndWhile(s, codesOf('.'))).toBe(s.replace(/\.+$/, ''));
			expect(trimEndWhile(s, isBlank)).toBe(s.replace(/[ \t]+$/, ''));
		}
	});

	it('#11.1 trimLineEnds removes trailing blanks of every line only', () => {
		const text = 'a  \n \t\n b\t \nc\u00a0 \n';
		expect(trimLineEnds(text)).toBe(text.replace(/[ \t]+$/gm, ''));
		expect(trimLineEnds(text)).toBe('a\n\n b\nc\u00a0\n');
	});
});
