import { mailboxKey, parseAddressList, validMailbox } from '../../../lib/mail/address';

describe('#11.6 validMailbox: exactly one RFC 5321 mailbox or null', () => {
	test.each([
		'kunde@example.test',
		'Erika.Mustermann@Example.COM',
		"o'brien+ticket-7@sub.example.co.uk",
		"a!#$%&'*+-/=?^_`{|}~z@example.test",
		'jürgen@müller.de',
		'用户@例子.广告',
		'x@xn--mller-kva.de',
		'a@b-c.example',
	])('accepts %p', (address) => {
		expect(validMailbox(address)).toBe(address);
	});

	test('drops surrounding spaces and tabs only', () => {
		expect(validMailbox('  kunde@example.test\t')).toBe('kunde@example.test');
		expect(validMailbox('kunde@example.test\r\n')).toBeNull();
	});

	const longLocal = 'a'.repeat(65);
	const longLabel = 'b'.repeat(64);
	const longDomain = `${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.test`;
	test.each([
		['several addresses in angle brackets', '<v1@a.test,v2@b.test>'],
		['a list as one address (mailparser gives this)', 'v1@a.test,v2@b.test,v3@c.test'],
		['semicolon list', 'a@b.test;c@d.test'],
		['space list', 'a@b.test c@d.test'],
		['quoted local part with a comma', '"a,b"@c.test'],
		['quoted local part with @', '"a@b.test"@c.test'],
		['quoted local part with a space', '"a b"@c.test'],
		['display form', 'Erika <erika@example.test>'],
		['angle brackets', '<erika@example.test>'],
		['space inside', 'eri ka@example.test'],
		['CRLF injection', 'a@b.test\r\nBcc: v@x.test'],
		['LF inside', 'a\n@b.test'],
		['NUL', 'a\u0000@b.test'],
		['DEL', 'a\u007f@b.test'],
		['no @', 'example.test'],
		['empty local part', '@example.test'],
		['empty domain', 'kunde@'],
		['two @', 'a@b@c.test'],
		['leading dot', '.a@b.test'],
		['trailing dot in local part', 'a.@b.test'],
		['double dot', 'a..b@c.test'],
		['trailing dot in domain', 'a@b.test.'],
		['empty label', 'a@b..test'],
		['label starting with a hyphen', 'a@-b.test'],
		['label ending with a hyphen', 'a@b-.test'],
		['dotless domain', 'root@localhost'],
		['address literal', 'a@[127.0.0.1]'],
		['IPv6 literal', 'a@[IPv6:::1]'],
		['bare IPv4', 'a@127.0.0.1'],
		['numeric top label', 'a@example.123'],
		['hex IPv4 host', 'a@0x7f.1'],
		['underscore in domain', 'a@b_c.test'],
		['65-octet local part', `${longLocal}@example.test`],
		['64-octet local part of 2-byte letters', `${'ä'.repeat(33)}@example.test`],
		['64-character label', `a@${longLabel}.test`],
		['address longer than 254 octets', `${'a'.repeat(64)}@${longDomain}`],
		['parenthesised comment', 'a(comment)@b.test'],
		['backslash', 'a\\b@c.test'],
		['full-width comma (NFKC → ",")', 'a\uff0cb@c.test'],
		['full-width at sign', 'a\uff20b.test@c.test'],
		['ideographic full stop in the domain', 'a@b\u3002test'],
		['bidi override', 'a\u202eb@c.test'],
		['zero-width space', 'a\u200bb@c.test'],
		['no-break space', 'a\u00a0b@c.test'],
		['parenthesised number (NFKC → "(1)")', 'a\u2474@c.test'],
		['empty', ''],
		['only blanks', ' \t '],
	])('rejects %s', (_what, input) => {
		expect(validMailbox(input)).toBeNull();
	});

	test('rejects what is not a string, and huge input without looking at it', () => {
		expect(validMailbox(undefined)).toBeNull();
		expect(validMailbox(null)).toBeNull();
		expect(validMailbox(42)).toBeNull();
		expect(validMailbox(['a@b.test'])).toBeNull();
		expect(validMailbox(`${' '.repeat(5000)}a@b.test`)).toBeNull();
	});

	test('limits are inclusive: 64-octet local part, 254-octet address', () => {
		const local = 'l'.repeat(64);
		expect(validMailbox(`${local}@example.test`)).toBe(`${local}@example.test`);
		const domain = (e: number) => `${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(e)}.test`;
		expect(64 + 1 + domain(56).length).toBe(254);
		expect(validMailbox(`${local}@${domain(56)}`)).not.toBeNull();
		expect(validMailbox(`${local}@${domain(57)}`)).toBeNull();
	});

	test('an IDN counts in its A-label form for the length limit', () => {
		// 40 × "ü" is 80 characters as A-label "xn--…", plus the rest
		const idn = `${'ü'.repeat(40)}.test`;
		expect(validMailbox(`a@${idn}`)).toBe(`a@${idn}`);
		expect(mailboxKey(`A@${idn}`)).toMatch(/^a@xn--[a-z0-9-]+\.test$/);
	});

	test('mailboxKey: lower-case local part, A-label domain; null for no mailbox', () => {
		expect(mailboxKey(' Max.Mustermann@Müller.DE ')).toBe('max.mustermann@xn--mller-kva.de');
		expect(mailboxKey('<v1@a.test,v2@b.test>')).toBeNull();
	});

	test('a hostile 1 MB input is rejected in linear time (no backtracking to wait for)', () => {
		for (const fill of ['a.', 'a@', '@a', ' ', '.', 'ä', '"', ',a@b.test']) {
			expect(validMailbox(fill.repeat(500_000))).toBeNull();
		}
	});
});

describe('#11.6 parseAddressList: header values give only valid single mailboxes', () => {
	test('a From listing many addresses inside one pair of angle brackets gives no address', () => {
		const many = Array.from({ length: 50 }, (_, i) => `v${i}@x${i}.test`).join(',');
		expect(parseAddressList(`<${many}>`)).toEqual([]);
		expect(parseAddressList(`"Boss" <${many}>`)).toEqual([]);
		expect(parseAddressList(`"Boss" <${many.replace(/,/g, ', ')}>`).length).toBeLessThanOrEqual(50);
	});

	test('a real list stays a list of single mailboxes; invalid entries are dropped', () => {
		expect(
			parseAddressList('"Müller, Hans" <hans@example.de>, "a,b"@c.test, root@localhost, b@y.test'),
		).toEqual([
			{ address: 'hans@example.de', name: 'Müller, Hans' },
			{ address: 'b@y.test', name: '' },
		]);
	});

	test('every address it returns passes validMailbox', () => {
		const hostile = [
			'<a@b.test,c@d.test>',
			'a@b.test;c@d.test',
			'x <a@b.test> <c@d.test>',
			'"a,b"@c.test',
			'a@[1.2.3.4]',
			'<@route:a@b.test>',
			'Group: a@b.test, <c@d.test,e@f.test>;',
		];
		for (const value of hostile) {
			for (const entry of parseAddressList(value)) {
				expect(validMailbox(entry.address)).toBe(entry.address);
			}
		}
	});
});
