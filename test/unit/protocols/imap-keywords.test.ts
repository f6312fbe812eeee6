import { quarantineKindKeyword, validKeywords } from '../../../lib/protocols/imap/imap-source';

describe('IMAP keywords we set (issue #13.4)', () => {
	test('one quarantine keyword per kind', () => {
		expect(quarantineKindKeyword('oversize')).toBe('$MailCasesQuarantineOversize');
		expect(quarantineKindKeyword('abnormalEnd')).toBe('$MailCasesQuarantineAbnormalEnd');
		expect(quarantineKindKeyword('notRemoved')).toBe('$MailCasesQuarantineNotRemoved');
	});

	test('only valid atoms are set (RFC 3501 flag-keyword), each once, bounded in length', () => {
		expect(
			validKeywords([
				'$MailCasesSkipped',
				'$MailCasesSkipped',
				'Junk',
				'two words',
				'paren(',
				'brace{',
				'percent%',
				'star*',
				'quote"',
				'back\\slash',
				'\\Seen',
				'bracket]',
				'ctrl\u0001',
				'Umlaut-ä',
				'',
				'x'.repeat(65),
				'y'.repeat(64),
			]),
		).toEqual(['$MailCasesSkipped', 'Junk', 'y'.repeat(64)]);
	});
});
