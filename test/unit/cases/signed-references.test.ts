/**
 * Issue #11.7: signed case references — the keyed tag, its recognition in subjects, and the
 * sender policy `signedOrParticipant`, against real embedded stores (SQLite files in a temp
 * folder; no server).
 */
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { trustedDmarcResult } from '../../../lib/cases/authentication-results';
import { checkCaseSender } from '../../../lib/cases/case-sender';
import {
	findCaseNumbers,
	subjectReference,
	withCaseReference,
} from '../../../lib/cases/case-number';
import {
	CASE_REFERENCE_TAG_ALPHABET,
	CASE_REFERENCE_TAG_LENGTH,
	caseReferenceKey,
	newCaseReferenceSecret,
	type CaseReferenceKey,
} from '../../../lib/store/case-reference-tag';
import { findCaseForMail } from '../../../lib/cases/find-case';
import { checkSenderPolicy } from '../../../lib/cases/sender-policy';
import { openStore, type Case, type Store } from '../../../lib/store';
import { sqliteTestStore, type TestStore } from '../../support/test-stores';

let site: TestStore;
let path: string;
let store: Store;
let key: CaseReferenceKey;
let kase: Case;
let other: Case;

beforeEach(async () => {
	site = sqliteTestStore('mail-cases-signed');
	path = (site.config as { path: string }).path;
	store = await openStore(site.config);
	key = await store.caseReferenceKey();
	const { id: workflowId } = await store.workflows.create({ name: 'Reklamation', fields: [] });
	const unit = await store.orgUnits.create({ name: 'Service', members: ['agent@firma.example'] });
	const contact = await store.contacts.create({ email: 'kontakt@kunde.example' });
	const open = { workflowId, responsibleOrgUnitId: unit.id };
	kase = await store.cases.create({
		...open,
		contactId: contact.id,
		requesterAddress: 'anfrage@kunde.example',
	});
	other = await store.cases.create(open);
	await store.cases.recordOutgoingMessageId(kase.id, '<ack-1@firma.example>');
});
afterEach(async () => {
	await store.close();
	await site.drop();
});

const signed = (number: string) => subjectReference(number, key);
const tagOf = (reference: string) => /-([0-9a-z]+)\]$/.exec(reference)?.[1] ?? '';
/** A tag of the right shape that is not the tag of `number`. */
const forgedTag = (number: string) => {
	const real = key.tag(number);
	return real.startsWith('0') ? `1${real.slice(1)}` : `0${real.slice(1)}`;
};

describe('#11.7 tag: creation and verification', () => {
	test('6 characters of lower-case Crockford base32, the same for the same number, different per number', () => {
		const tag = key.tag('2026-000123');
		expect(tag).toHaveLength(CASE_REFERENCE_TAG_LENGTH);
		expect([...tag].every((c) => CASE_REFERENCE_TAG_ALPHABET.includes(c))).toBe(true);
		expect(key.tag('2026-000123')).toBe(tag);
		expect(key.tag('2026-000124')).not.toBe(tag);
		expect(subjectReference('2026-000123', key)).toBe(`[#2026-000123-${tag}]`);
	});

	test('verify: the right tag in any letter case; a wrong, short, long or foreign-alphabet tag is refused', () => {
		const tag = key.tag('2026-000123');
		expect(key.verify('2026-000123', tag)).toBe(true);
		expect(key.verify('2026-000123', tag.toUpperCase())).toBe(true);
		expect(key.verify('2026-000124', tag)).toBe(false);
		expect(key.verify('2026-000123', forgedTag('2026-000123'))).toBe(false);
		expect(key.verify('2026-000123', tag.slice(0, 5))).toBe(false);
		expect(key.verify('2026-000123', `${tag}0`)).toBe(false);
		expect(key.verify('2026-000123', 'iiiiii')).toBe(false);
		expect(key.verify('2026-000123', '')).toBe(false);
	});

	test('the store keeps one secret: reopened it gives the same tags, another store other tags', async () => {
		const again = await openStore({ kind: 'sqlite', path });
		expect((await again.caseReferenceKey()).tag('2026-000123')).toBe(key.tag('2026-000123'));
		await again.close();
		const second = await openStore({ kind: 'sqlite', path: join(dirname(path), 'other.sqlite') });
		expect((await second.caseReferenceKey()).tag('2026-000123')).not.toBe(key.tag('2026-000123'));
		await second.close();
	});

	test('the secret is created by migration 2 and appears in no output of the key', async () => {
		const db = new DatabaseSync(path);
		const versions = db
			.prepare('select version, name from schema_migrations order by version')
			.all();
		const row = db
			.prepare("select value from store_secrets where name = 'case-reference-tag'")
			.get() as {
			value: string;
		};
		db.close();
		expect(versions).toContainEqual({ version: 2, name: 'store secrets (case reference tag key)' });
		expect(Buffer.from(row.value, 'base64url')).toHaveLength(32);
		for (const shown of [
			JSON.stringify(key),
			inspect(key, { showHidden: true, depth: 5 }),
			String(key),
		]) {
			expect(shown).not.toContain(row.value);
		}
		expect(Object.keys(key).sort()).toEqual(['tag', 'verify']);
	});

	test('a deleted secret row is created anew (older tags stop being valid)', async () => {
		const db = new DatabaseSync(path);
		db.exec("delete from store_secrets where name = 'case-reference-tag'");
		db.close();
		const reopened = await openStore({ kind: 'sqlite', path });
		const fresh = await reopened.caseReferenceKey();
		expect(fresh.verify('2026-000123', key.tag('2026-000123'))).toBe(false);
		expect((await reopened.caseReferenceKey()).tag('2026-000123')).toBe(fresh.tag('2026-000123'));
		await reopened.close();
	});

	test('a damaged secret gives an error that does not show it', () => {
		expect(() => caseReferenceKey('c2hvcnQ')).toThrow(
			expect.objectContaining({
				code: 'INTERNAL',
				message: expect.not.stringContaining('c2hvcnQ'),
			}),
		);
		expect(Buffer.from(newCaseReferenceSecret(), 'base64url')).toHaveLength(32);
	});
});

describe('#11.7 extraction: signed, unsigned, forged', () => {
	test('a signed reference is recognised with signature valid, in any letter case and with reply prefixes', () => {
		const ref = signed('2026-000123');
		for (const subject of [
			`AW: ${ref} Frage`,
			`Re: ${ref.toUpperCase()} Frage`,
			`WG: [ #2026-000123-${tagOf(ref)} ]`,
		]) {
			expect(findCaseNumbers(subject, { referenceKey: key })).toEqual([
				expect.objectContaining({ number: '2026-000123', kind: 'reference', signature: 'valid' }),
			]);
		}
	});

	test('unsigned old references, keyword and bare forms are unsigned; a wrong tag is invalid; without a key every tag is invalid', () => {
		const found = (s: string) =>
			findCaseNumbers(s, { referenceKey: key }).map((m) => [m.number, m.kind, m.signature]);
		expect(found('[#2026-000123] alt')).toEqual([['2026-000123', 'reference', 'unsigned']]);
		expect(found('Vorgang 2026-000123')).toEqual([['2026-000123', 'keyword', 'unsigned']]);
		expect(found('Frage zu 2026-000123')).toEqual([['2026-000123', 'bare', 'unsigned']]);
		expect(found(`[#2026-000123-${forgedTag('2026-000123')}]`)).toEqual([
			['2026-000123', 'reference', 'invalid'],
		]);
		expect(found('[#2026-000123-zz] kurz')).toEqual([['2026-000123', 'reference', 'invalid']]);
		// the tag of another number does not sign this one
		expect(found(`[#2026-000124-${key.tag('2026-000123')}]`)).toEqual([
			['2026-000124', 'reference', 'invalid'],
		]);
		expect(findCaseNumbers(signed('2026-000123'))[0].signature).toBe('invalid');
	});

	test('a validly signed reference comes first, before a forged one and before other forms', () => {
		const subject = `Vorgang 2026-000999 [#2026-000555-${forgedTag('2026-000555')}] ${signed('2026-000123')}`;
		expect(
			findCaseNumbers(subject, { referenceKey: key }).map((m) => [m.number, m.signature]),
		).toEqual([
			['2026-000123', 'valid'],
			['2026-000555', 'invalid'],
			['2026-000999', 'unsigned'],
		]);
	});

	test.each([
		['VG-{SEQ:5}', 'VG-00042'],
		['{YY}/{SEQ:4}', '26/0042'],
		['{SEQ:6}', '000042'],
		['{YYYY}-{SEQ:6}-DE', '2026-000042-DE'],
	])('custom format %s: the tag signs and is found again', (format, number) => {
		const subject = `AW: ${withCaseReference('Frage', number, key)}`;
		expect(findCaseNumbers(subject, { format, referenceKey: key })).toEqual([
			expect.objectContaining({ number, kind: 'reference', signature: 'valid' }),
		]);
	});

	test('withCaseReference with a key: adds the signed reference once, signs an unsigned or wrongly tagged one in place', () => {
		const ref = signed('2026-000123');
		expect(withCaseReference('AW: Frage', '2026-000123', key)).toBe(`AW: ${ref} Frage`);
		expect(withCaseReference(`AW: ${ref} Frage`, '2026-000123', key)).toBe(`AW: ${ref} Frage`);
		expect(withCaseReference('[#2026-000123] Ihre Anfrage', '2026-000123', key)).toBe(
			`${ref} Ihre Anfrage`,
		);
		expect(withCaseReference('x [#2026-000123-abcdef] y', '2026-000123', key)).toBe(`x ${ref} y`);
	});
});

describe('#11.7 policy signedOrParticipant (pure decision)', () => {
	const decide = (sender: string, evidence: Parameters<typeof checkSenderPolicy>[0]['evidence']) =>
		checkSenderPolicy({
			sender,
			policy: 'signedOrParticipant',
			case: {
				contactEmail: 'kontakt@kunde.example',
				requesterEmail: 'anfrage@kunde.example',
				responsibleMembers: ['agent@firma.example'],
				earlierSenders: ['"Kollege" <kollege@kunde.example>'],
			},
			evidence,
		});

	test('a stranger: valid tag or reply to our mail → allowed; unsigned, forged tag, reply to unknown mail → refused with the cause', () => {
		const stranger = 'fremd@angreifer.example';
		expect(decide(stranger, { via: 'subject', signature: 'valid' })).toMatchObject({
			allowed: true,
			reason: 'signed-reference',
		});
		expect(decide(stranger, { via: 'thread', repliesToOurMail: true })).toMatchObject({
			allowed: true,
			reason: 'reply-to-our-mail',
		});
		expect(
			decide(stranger, { via: 'subject', signature: 'unsigned', repliesToOurMail: true }),
		).toMatchObject({ allowed: true, reason: 'reply-to-our-mail' });
		expect(decide(stranger, { via: 'subject', signature: 'unsigned' })).toMatchObject({
			allowed: false,
			reason: 'unsigned-reference-from-stranger',
		});
		expect(decide(stranger, { via: 'subject', signature: 'invalid' })).toMatchObject({
			allowed: false,
			reason: 'invalid-reference-tag',
		});
		expect(decide(stranger, { via: 'thread', repliesToOurMail: false })).toMatchObject({
			allowed: false,
			reason: 'reply-to-unknown-mail-from-stranger',
		});
		expect(decide(stranger, undefined)).toMatchObject({
			allowed: false,
			reason: 'unsigned-reference-from-stranger',
		});
	});

	test('participants may name the case by a bare number: contact, requester, responsible member, earlier sender', () => {
		const bare = { via: 'subject', signature: 'unsigned' } as const;
		expect(decide('Kontakt@Kunde.example', bare)).toMatchObject({
			allowed: true,
			reason: 'case-contact',
		});
		expect(decide('anfrage@kunde.example', bare)).toMatchObject({
			allowed: true,
			reason: 'requester',
		});
		expect(decide('agent@firma.example', bare)).toMatchObject({
			allowed: true,
			reason: 'responsible-member',
		});
		expect(decide('kollege@kunde.example', bare)).toMatchObject({
			allowed: true,
			reason: 'earlier-sender',
		});
		expect(decide('kollege+x@kunde.example', bare)).toMatchObject({ allowed: false });
	});

	test('combined with another policy, either suffices; with "anyone" everybody', () => {
		const r = checkSenderPolicy({
			sender: 'fremd@x.example',
			policy: ['signedOrParticipant', 'knownContact'],
			isKnownContact: true,
			evidence: { via: 'subject', signature: 'unsigned' },
		});
		expect(r).toMatchObject({ allowed: true, reason: 'known-contact' });
		expect(
			checkSenderPolicy({ sender: 'fremd@x.example', policy: ['signedOrParticipant', 'anyone'] }),
		).toMatchObject({ allowed: true });
	});
});

describe('#11.7 find the case and check the sender, against the store', () => {
	const storedMail = (c: Case, messageId: string, from: string) =>
		store.activities.add({ caseId: c.id, kind: 'incoming_mail', messageId, from, subject: 'x' });
	async function decide(sender: string, mail: Parameters<typeof findCaseForMail>[1]) {
		const found = await findCaseForMail(store, mail, { referenceKey: key });
		if (!found.matched) return found;
		const verdict = await checkCaseSender(store, found.case, sender, {
			policy: 'signedOrParticipant',
			evidence: {
				via: found.via === 'thread' ? 'thread' : 'subject',
				signature: found.reference?.signature,
				repliesToOurMail: found.repliesToOurMail,
			},
		});
		return { ...found, verdict };
	}

	test('a stranger with the signed reference is accepted', async () => {
		const r = await decide('fremd@angreifer.example', {
			subject: `AW: ${signed(kase.number)} Frage`,
		});
		expect(r).toMatchObject({
			matched: true,
			via: 'subject',
			reference: { kind: 'reference', signature: 'valid' },
			verdict: { allowed: true, reason: 'signed-reference' },
		});
	});

	test('a stranger who guessed a bare number, or an unsigned or forged reference, is refused', async () => {
		for (const [subject, reason] of [
			[`Vorgang ${kase.number}`, 'unsigned-reference-from-stranger'],
			[`[#${kase.number}] Frage`, 'unsigned-reference-from-stranger'],
			[`[#${kase.number}-${forgedTag(kase.number)}] Frage`, 'invalid-reference-tag'],
			[`[#${kase.number}-${key.tag(other.number)}] Frage`, 'invalid-reference-tag'],
		]) {
			expect(await decide('fremd@angreifer.example', { subject })).toMatchObject({
				matched: true,
				verdict: { allowed: false, reason },
			});
		}
	});

	test('a participant with a bare number matches: requester, case contact, and an earlier sender of mail on the case', async () => {
		await storedMail(kase, '<earlier@kunde.example>', 'Kollegin <kollegin@kunde.example>');
		for (const [sender, reason] of [
			['anfrage@kunde.example', 'requester'],
			['kontakt@kunde.example', 'case-contact'],
			['kollegin@kunde.example', 'earlier-sender'],
		]) {
			expect(await decide(sender, { subject: `Vorgang ${kase.number}` })).toMatchObject({
				verdict: { allowed: true, reason },
			});
		}
	});

	test('a reply to a mail we sent matches for a stranger; a reply to a stored incoming mail does not', async () => {
		await storedMail(other, '<their-mail@kunde.example>', 'jemand@kunde.example');
		expect(
			await decide('fremd@angreifer.example', {
				subject: 'AW: Ihre Anfrage',
				inReplyTo: '<ack-1@firma.example>',
			}),
		).toMatchObject({
			matched: true,
			via: 'thread',
			repliesToOurMail: true,
			verdict: { allowed: true, reason: 'reply-to-our-mail' },
		});
		expect(
			await decide('fremd@angreifer.example', {
				subject: 'AW: x',
				references: ['<their-mail@kunde.example>'],
			}),
		).toMatchObject({
			matched: true,
			via: 'thread',
			repliesToOurMail: false,
			verdict: { allowed: false, reason: 'reply-to-unknown-mail-from-stranger' },
		});
	});
});

describe('#11.7 Authentication-Results of our own server (RFC 8601)', () => {
	const ours = 'mx.firma.example';
	test('the dmarc result of the topmost run of headers with our authserv-id', () => {
		expect(
			trustedDmarcResult(
				'MX.Firma.Example; spf=pass smtp.mailfrom=kunde.example; dmarc=fail (p=reject dis=none) header.from=kunde.example',
				ours,
			),
		).toBe('fail');
		expect(
			trustedDmarcResult([`${ours} 1; dkim=pass`, `${ours}; dmarc=pass header.from=x`], ours),
		).toBe('pass');
		expect(trustedDmarcResult(`${ours}; none`, ours)).toBeNull();
		// `;` inside comments and quoted strings does not split; a comment can hold "dmarc=pass"
		expect(
			trustedDmarcResult(
				`${ours}; spf=pass (a; dmarc=pass) reason="x; dmarc=pass"; dmarc/1 = fail`,
				ours,
			),
		).toBe('fail');
	});

	test('headers of other servers, forgeries below another header, and an unset id are not trusted', () => {
		// another server's header on top: what follows may have come with the mail
		expect(
			trustedDmarcResult(['relay.example; dmarc=pass', `${ours}; dmarc=fail`], ours),
		).toBeNull();
		expect(trustedDmarcResult('attacker.example; dmarc=fail', ours)).toBeNull();
		expect(trustedDmarcResult(`${ours}; dmarc=fail`, '')).toBeNull();
		expect(trustedDmarcResult(undefined, ours)).toBeNull();
		// a look-alike id is another id
		expect(trustedDmarcResult(`${ours}.evil.example; dmarc=fail`, ours)).toBeNull();
	});

	test('a hostile header is read in one bounded pass', () => {
		const value = `${ours}; ${'('.repeat(200_000)}dmarc=pass${'\\'.repeat(100_000)}`;
		expect(trustedDmarcResult(value, ours)).toBeNull();
		expect(
			trustedDmarcResult(
				Array.from({ length: 1000 }, () => `${ours}; dkim=pass`),
				ours,
			),
		).toBeNull();
	});

	test('dmarc=fail makes the From a stranger: participant rules fail, a signed reference or a reply to our mail still counts', () => {
		const requester = {
			sender: 'anfrage@kunde.example',
			case: { requesterEmail: 'anfrage@kunde.example', contactEmail: 'anfrage@kunde.example' },
			senderUnverified: true,
		};
		expect(
			checkSenderPolicy({
				...requester,
				policy: 'signedOrParticipant',
				evidence: { via: 'subject', signature: 'unsigned' },
			}),
		).toMatchObject({ allowed: false, reason: 'from-failed-dmarc' });
		expect(
			checkSenderPolicy({
				...requester,
				policy: ['caseContactOrRequester', 'knownContact'],
				isKnownContact: true,
			}),
		).toMatchObject({
			allowed: false,
			reason: 'from-failed-dmarc',
		});
		expect(
			checkSenderPolicy({
				...requester,
				policy: 'signedOrParticipant',
				evidence: { via: 'subject', signature: 'valid' },
			}),
		).toMatchObject({ allowed: true, reason: 'signed-reference' });
		expect(
			checkSenderPolicy({
				...requester,
				policy: 'signedOrParticipant',
				evidence: { via: 'thread', repliesToOurMail: true },
			}),
		).toMatchObject({ allowed: true, reason: 'reply-to-our-mail' });
		expect(checkSenderPolicy({ ...requester, policy: 'anyone' })).toMatchObject({ allowed: true });
	});
});
