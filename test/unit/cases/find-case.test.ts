/**
 * findCaseForMail and checkCaseSender against a real embedded store (SQLite file in a temp
 * folder; no server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCaseSender } from '../../../lib/cases/case-sender';
import { findCaseForMail } from '../../../lib/cases/find-case';
import { openStore, type Case, type Store } from '../../../lib/store';

let dir: string;
let store: Store;
let kase: Case;
let other: Case;

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'mail-cases-find-'));
	store = await openStore({ kind: 'sqlite', path: join(dir, 'cases.sqlite') });
	const workflow = await store.workflows.create({
		name: 'Reklamation',
		fields: [{ name: 'Name', type: 'text' }],
	});
	const unit = await store.orgUnits.create({
		name: 'Kundenservice',
		members: ['agent@firma.example'],
	});
	await store.orgUnits.create({ name: 'Buchhaltung', members: ['buchhaltung@firma.example'] });
	const contact = await store.contacts.create({ email: 'Kunde@Kunde.example', lastName: 'Kunde' });
	await store.contacts.create({ email: 'bekannt@irgendwo.example' });
	kase = await store.cases.create({
		workflowId: workflow.id,
		responsibleOrgUnitId: unit.id,
		contactId: contact.id,
		requesterAddress: 'anfrage@kunde.example',
	});
	other = await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id });
	await store.cases.recordOutgoingMessageId(other.id, '<notify-1@firma.example>');
});
afterEach(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('R-PROC-1 / R-PLUS-4: finding the existing case of a mail', () => {
	test('the case number in the subject, with reply prefixes', async () => {
		const found = await findCaseForMail(store, {
			subject: `AW: WG: [#${kase.number}] Reklamation`,
		});
		expect(found).toMatchObject({ matched: true, via: 'subject', caseNumbers: [kase.number] });
		expect(found.matched && found.case.id).toBe(kase.id);
	});

	test('loose forms: "Vorgang <number>"', async () => {
		const found = await findCaseForMail(store, {
			subject: `Re: Vorgang ${kase.number} – Rückfrage`,
		});
		expect(found.matched && found.case.id).toBe(kase.id);
	});

	test('a number that names no case is reported, never created', async () => {
		const found = await findCaseForMail(store, { subject: '[#1999-000999] Alt' });
		expect(found).toMatchObject({
			matched: false,
			reason: 'case-not-found',
			caseNumbers: ['1999-000999'],
		});
		expect(await store.countCases()).toBe(2);
	});

	test('a reply that lost the number is matched through In-Reply-To / References of our outgoing mail', async () => {
		const found = await findCaseForMail(store, {
			subject: 'AW: Ihre Anfrage',
			inReplyTo: '<notify-1@firma.example>',
		});
		expect(found).toMatchObject({ matched: true, via: 'thread' });
		expect(found.matched && found.case.id).toBe(other.id);
		const viaRefs = await findCaseForMail(store, {
			subject: 'x',
			references: ['<root@x>', '<notify-1@firma.example>'],
		});
		expect(viaRefs.matched && viaRefs.case.id).toBe(other.id);
		const off = await findCaseForMail(
			store,
			{ subject: 'x', inReplyTo: '<notify-1@firma.example>' },
			{ thread: false },
		);
		expect(off).toMatchObject({ matched: false, reason: 'no-case-reference' });
	});

	test('the subject wins over the thread; the thread case is reported', async () => {
		const found = await findCaseForMail(store, {
			subject: `[#${kase.number}]`,
			inReplyTo: '<notify-1@firma.example>',
		});
		expect(found).toMatchObject({ matched: true, via: 'subject' });
		expect(found.matched && found.threadCase?.id).toBe(other.id);
	});

	test('R-PLUS-2: a mail already stored returns to its case through the ledger, whatever its subject says now', async () => {
		await store.ledger.addMailToCase({
			messageKey: 'mid:m1@kunde.example',
			caseId: kase.id,
			mail: { subject: 'x' },
		});
		const found = await findCaseForMail(
			store,
			{ subject: `[#${other.number}]` },
			{ messageKey: 'mid:m1@kunde.example' },
		);
		expect(found).toMatchObject({ matched: true, via: 'ledger' });
		expect(found.matched && found.case.id).toBe(kase.id);
		await store.ledger.recordOutcome({ messageKey: 'mid:fwd@kunde.example', outcome: 'forwarded' });
		const forwarded = await findCaseForMail(
			store,
			{ subject: 'nothing' },
			{ messageKey: 'mid:fwd@kunde.example' },
		);
		expect(forwarded).toMatchObject({ matched: false, reason: 'no-case-reference' });
	});

	test('R-PLUS-2: a mail that opened a case goes the same way again — unmatched, reason opened-case — even when its subject names another case', async () => {
		const opened = await store.ledger.createCaseFromMail({
			messageKey: 'mid:new@kunde.example',
			workflowId: kase.workflowId,
			responsibleOrgUnitId: kase.responsibleOrgUnitId,
			mail: { subject: 'Neue Anfrage' },
		});
		const found = await findCaseForMail(
			store,
			{ subject: `[#${other.number}] Neue Anfrage` },
			{ messageKey: 'mid:new@kunde.example' },
		);
		expect(found).toEqual({
			matched: false,
			reason: 'opened-case',
			message: `This mail opened case ${opened.case!.number} when it was processed before; it takes the same way again`,
			caseNumbers: [other.number],
		});
	});

	test('no number, no reply headers', async () => {
		expect(await findCaseForMail(store, { subject: 'Bestellung 2026-000001' })).toMatchObject({
			matched: false,
			reason: 'no-case-reference',
		});
	});
});

describe('R-PLUS-5: the sender policy against a stored case', () => {
	const check = (
		sender: string,
		policy: Parameters<typeof checkCaseSender>[3]['policy'],
		extra = {},
	) => checkCaseSender(store, kase, sender, { policy, ...extra });

	test.each([
		['kunde@kunde.example', 'caseContact', true],
		['KUNDE@kunde.example', 'caseContactOrRequester', true],
		['anfrage@kunde.example', 'caseContactOrRequester', true],
		['anfrage@kunde.example', 'caseContact', false],
		['agent@firma.example', 'responsibleMember', true],
		['buchhaltung@firma.example', 'responsibleMember', false],
		['buchhaltung@firma.example', 'orgMember', true],
		['agent@firma.example', 'caseParticipant', true],
		['bekannt@irgendwo.example', 'knownContact', true],
		['fremd@irgendwo.example', 'knownContact', false],
		['fremd@irgendwo.example', 'anyone', true],
		['kunde@kunde.example', 'nobody', false],
	] as const)('%s under %s → %s', async (sender, policy, allowed) => {
		expect((await check(sender, policy)).allowed).toBe(allowed);
	});

	test('several policies: any one suffices; unknown policy names allow nobody and say so', async () => {
		expect((await check('bekannt@irgendwo.example', ['caseContact', 'knownContact'])).reason).toBe(
			'known-contact',
		);
		const typo = await check('kunde@kunde.example', ['caseContakt' as never]);
		expect(typo).toMatchObject({ allowed: false, message: expect.stringContaining('caseContakt') });
	});

	test('plus addressing is distinct unless folded', async () => {
		expect((await check('kunde+shop@kunde.example', 'caseContact')).allowed).toBe(false);
		expect(
			(await check('kunde+shop@kunde.example', 'caseContact', { plusAddressing: 'same' })).allowed,
		).toBe(true);
		expect(
			(await check('bekannt+x@irgendwo.example', 'knownContact', { plusAddressing: 'same' }))
				.allowed,
		).toBe(true);
	});

	test('no usable sender address is refused', async () => {
		expect(await checkCaseSender(store, kase, null, { policy: 'caseContact' })).toMatchObject({
			allowed: false,
			reason: 'no-sender',
		});
	});
});
