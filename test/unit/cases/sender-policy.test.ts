import {
	checkSenderPolicy,
	filterAllowedFields,
	normalizeAddress,
	sameAddress,
	type SenderPolicyInput,
} from '../../../lib/cases/sender-policy';

const CASE = {
	contactEmail: 'Kunde@Example.com',
	requesterEmail: 'anfrage@kunde.example',
	responsibleMembers: ['sachbearbeiter@firma.example', null, 'team@firma.example'],
};

function check(
	sender: string | null | undefined,
	policy: SenderPolicyInput['policy'],
	extra: Partial<SenderPolicyInput> = {},
) {
	return checkSenderPolicy({ sender, policy, case: CASE, isKnownContact: false, ...extra });
}

describe('R-PLUS-5: addresses are compared sensibly', () => {
	test.each([
		['kunde@example.com', 'kunde@example.com'],
		['Kunde@Example.COM', 'kunde@example.com'],
		['  kunde@example.com  ', 'kunde@example.com'],
		['Max Kunde <Kunde@Example.com>', 'kunde@example.com'],
		['"Kunde, Max" <kunde@example.com>', 'kunde@example.com'],
		['Kunde, Max <kunde@example.com>', 'kunde@example.com'],
		['"a <b@evil.example>" <kunde@example.com>', 'kunde@example.com'],
		['kunde@example.com.', 'kunde@example.com'],
		['müller@müller.de', 'müller@xn--mller-kva.de'],
		['MÜLLER@MÜLLER.DE', 'müller@xn--mller-kva.de'],
		['kunde+shop@example.com', 'kunde+shop@example.com'],
	])('normalizeAddress(%j) = %j', (input, expected) => {
		expect(normalizeAddress(input)).toBe(expected);
	});

	test.each([
		[''],
		['   '],
		[null],
		[undefined],
		['kein-at-zeichen'],
		['@example.com'],
		['kunde@'],
		['Max <>'],
		['Max Mustermann'],
		// #11.6: one @ only (found by the adversarial suite: `@@@…@x` was taken as an address)
		['@@@@example.com'],
		['a@b@example.com'],
		['Max <a@b@example.com>'],
	])('no address in %j', (input) => {
		expect(normalizeAddress(input)).toBeNull();
	});

	test('punycode and Unicode domains are the same', () => {
		expect(sameAddress('info@müller.de', 'info@xn--mller-kva.de')).toBe(true);
	});

	test('plus-addressing is NOT the same person by default', () => {
		expect(sameAddress('kunde+shop@example.com', 'kunde@example.com')).toBe(false);
		expect(
			sameAddress('kunde+shop@example.com', 'kunde@example.com', { plusAddressing: 'same' }),
		).toBe(true);
		expect(normalizeAddress('+tag@example.com', { plusAddressing: 'same' })).toBe(
			'+tag@example.com',
		);
	});

	test('two missing addresses are not the same', () => {
		expect(sameAddress(null, null)).toBe(false);
		expect(sameAddress('', '')).toBe(false);
	});
});

describe('R-PLUS-5: checkSenderPolicy', () => {
	test('anyone', () => {
		expect(check('fremd@evil.example', 'anyone')).toMatchObject({
			allowed: true,
			reason: 'anyone',
		});
		expect(check(null, 'anyone').allowed).toBe(true);
	});

	test('nobody', () => {
		expect(check('kunde@example.com', 'nobody')).toMatchObject({
			allowed: false,
			reason: 'nobody',
		});
		expect(check('kunde@example.com', [])).toMatchObject({ allowed: false, reason: 'nobody' });
	});

	test("knownContact uses the caller's lookup", () => {
		expect(check('x@y.example', 'knownContact', { isKnownContact: true })).toMatchObject({
			allowed: true,
			reason: 'known-contact',
		});
		expect(check('x@y.example', 'knownContact', { isKnownContact: false })).toMatchObject({
			allowed: false,
			reason: 'not-allowed',
		});
		expect(check('x@y.example', 'knownContact', { isKnownContact: undefined })).toMatchObject({
			allowed: false,
		});
	});

	test('caseContact: case-insensitive, with display name', () => {
		expect(check('Max Kunde <KUNDE@example.COM>', 'caseContact')).toMatchObject({
			allowed: true,
			reason: 'case-contact',
		});
		expect(check('anfrage@kunde.example', 'caseContact')).toMatchObject({
			allowed: false,
			reason: 'not-allowed',
		});
		expect(check('kunde+x@example.com', 'caseContact').allowed).toBe(false);
		expect(check('kunde+x@example.com', 'caseContact', { plusAddressing: 'same' }).allowed).toBe(
			true,
		);
	});

	test('a display name that spoofs the contact address does not help', () => {
		expect(check('"kunde@example.com" <angreifer@evil.example>', 'caseContact').allowed).toBe(
			false,
		);
		expect(check('kunde@example.com <angreifer@evil.example>', 'caseContact').allowed).toBe(false);
	});

	test('caseContactOrRequester', () => {
		expect(check('kunde@example.com', 'caseContactOrRequester')).toMatchObject({
			allowed: true,
			reason: 'case-contact',
		});
		expect(check('Anfrage@Kunde.example', 'caseContactOrRequester')).toMatchObject({
			allowed: true,
			reason: 'requester',
		});
		expect(check('sachbearbeiter@firma.example', 'caseContactOrRequester').allowed).toBe(false);
	});

	test('responsibleMember', () => {
		expect(check('Team@Firma.example', 'responsibleMember')).toMatchObject({
			allowed: true,
			reason: 'responsible-member',
		});
		expect(check('kunde@example.com', 'responsibleMember').allowed).toBe(false);
	});

	test('orgMember: any org unit member (caller lookup) or responsible member', () => {
		expect(check('kollege@firma.example', 'orgMember', { isOrgMember: true })).toMatchObject({
			allowed: true,
			reason: 'org-member',
		});
		expect(check('team@firma.example', 'orgMember')).toMatchObject({
			allowed: true,
			reason: 'responsible-member',
		});
		expect(check('kunde@example.com', 'orgMember').allowed).toBe(false);
	});

	test('caseParticipant', () => {
		expect(check('kunde@example.com', 'caseParticipant').reason).toBe('case-contact');
		expect(check('anfrage@kunde.example', 'caseParticipant').reason).toBe('requester');
		expect(check('team@firma.example', 'caseParticipant').reason).toBe('responsible-member');
		expect(check('fremd@evil.example', 'caseParticipant')).toMatchObject({
			allowed: false,
			reason: 'not-allowed',
		});
	});

	test('several policies: any may allow', () => {
		expect(
			check('x@y.example', ['caseContact', 'knownContact'], { isKnownContact: true }).reason,
		).toBe('known-contact');
		expect(check('kunde@example.com', ['nobody', 'caseContact']).allowed).toBe(true);
		expect(check('x@y.example', ['caseContact', 'responsibleMember']).allowed).toBe(false);
	});

	test('a mail without usable sender is refused (unless anyone)', () => {
		for (const sender of [null, undefined, '', 'undisclosed-recipients:;', 'Max']) {
			expect(check(sender, 'knownContact', { isKnownContact: true })).toMatchObject({
				allowed: false,
				reason: 'no-sender',
			});
		}
	});

	test('a case without addresses allows no case-based policy', () => {
		const r = checkSenderPolicy({
			sender: 'kunde@example.com',
			policy: 'caseParticipant',
			case: {},
			isKnownContact: false,
		});
		expect(r.allowed).toBe(false);
		expect(
			checkSenderPolicy({ sender: 'kunde@example.com', policy: 'caseContact', case: null }).allowed,
		).toBe(false);
		expect(
			checkSenderPolicy({
				sender: 'kunde@example.com',
				policy: 'responsibleMember',
				case: { responsibleMembers: null },
			}).allowed,
		).toBe(false);
	});

	test('an unknown policy name fails closed', () => {
		expect(
			checkSenderPolicy({ sender: 'kunde@example.com', policy: 'everyone' as never, case: CASE })
				.allowed,
		).toBe(false);
	});

	test('every result carries a message', () => {
		expect(check('kunde@example.com', 'caseContact').message).toMatch(/contact/);
		expect(check('x@y.example', 'caseContact').message).toMatch(/not allowed/);
	});
});

describe('R-PLUS-5: filterAllowedFields', () => {
	const fields = { Name: 'A', Betrag: '5', Straße: 'Weg 1' };

	test('keeps listed fields, reports the others', () => {
		expect(filterAllowedFields(fields, ['Name', 'Straße'])).toEqual({
			fields: { Name: 'A', Straße: 'Weg 1' },
			rejected: [{ field: 'Betrag', reason: expect.any(String) }],
		});
	});

	test('null/undefined allows all (as a copy), empty list allows none', () => {
		const all = filterAllowedFields(fields, undefined);
		expect(all).toEqual({ fields, rejected: [] });
		expect(all.fields).not.toBe(fields);
		expect(filterAllowedFields(fields, null).fields).toEqual(fields);
		expect(filterAllowedFields(fields, []).fields).toEqual({});
		expect(filterAllowedFields(fields, []).rejected).toHaveLength(3);
	});

	test('exact names by default, case-insensitive on request', () => {
		expect(filterAllowedFields(fields, ['name', 'STRASSE']).fields).toEqual({});
		expect(
			filterAllowedFields(fields, ['name', 'STRASSE'], { caseInsensitive: true }).fields,
		).toEqual({ Name: 'A', Straße: 'Weg 1' });
	});

	test('a field called __proto__ stays a plain key', () => {
		const input = JSON.parse('{"__proto__": "x", "Name": "A"}') as Record<string, string>;
		const out = filterAllowedFields(input, ['__proto__', 'Name']).fields;
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect(Object.keys(out)).toEqual(['__proto__', 'Name']);
	});
});
