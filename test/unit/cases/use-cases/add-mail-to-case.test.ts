/**
 * addMailToCase against a temp SQLite store, no servers (issue #12 item 1): the mail and its
 * field changes in one ledger write, the sender policy for field lines, replays.
 */
import { mailLedgerKey } from '../../../../lib/cases/mail-ledger-key';
import { MAX_FIELD_LINES } from '../../../../lib/mail/limits';
import {
	addMailToCase,
	type AddMailToCaseInput,
	type AddMailToCaseResult,
} from '../../../../lib/cases/use-cases/add-mail-to-case';
import type { Case } from '../../../../lib/store';
import { attachment, mail, mailCasesError, openFixture, type Fixture } from './fixtures';

let f: Fixture;
let kase: Case;
beforeEach(async () => {
	f = await openFixture();
	const contact = await f.store.contacts.create({ email: 'kontakt@kunde.example' });
	kase = await f.store.cases.create({
		workflowId: f.workflow.id,
		responsibleOrgUnitId: f.service.id,
		contactId: contact.id,
		requesterAddress: 'anfrage@kunde.example',
		fields: { Name: 'Alt' },
	});
});
afterEach(async () => {
	await f.close();
});

function add(input: Partial<AddMailToCaseInput> = {}) {
	return addMailToCase({ store: f.store }, { caseNumber: kase.number, mail: mail(), ...input });
}

const participants = { senderPolicy: ['caseParticipant' as const] };

function added(result: AddMailToCaseResult) {
	if (result.kind !== 'added') throw new Error(`expected an added mail, got ${result.kind}`);
	return result;
}

describe('R-PROC-2: the mail becomes an activity of its case', () => {
	test('with its attachments; remote images blocked; field lines untouched without Apply Field Lines', async () => {
		const m = mail({
			text: 'Name = Neu',
			html: '<p>x<img src="http://tracker.example/p.gif"></p>',
			attachments: [attachment('rechnung.pdf', 10)],
		});
		const r = added(await add({ caseNumber: ` ${kase.number} `, mail: m }));
		expect(r).toMatchObject({
			case: { id: kase.id, fields: { Name: 'Alt' } },
			activity: { kind: 'incoming_mail', attachments: [{ fileName: 'rechnung.pdf', size: 10 }] },
			fieldChanges: [],
			fields: undefined,
			blockedImages: 1,
			attachmentsWithoutContent: false,
		});
		expect(r.activity.from).toBe('"Kunde" <kunde@kunde.example>');
	});

	test('remote images kept on request, HTML not stored on request', async () => {
		const html = '<p>x<img src="http://tracker.example/p.gif"></p>';
		const kept = added(await add({ mail: mail({ html }), content: { allowRemoteImages: true } }));
		expect(kept.blockedImages).toBe(0);
		const none = added(await add({ mail: mail({ html }), content: { keepHtml: false } }));
		const [stored] = await f.store.activities
			.listForCase(kase.id, { limit: 5000 })
			.then((all) => all.filter((a) => a.id === none.activity.id));
		expect(stored.html).toBeNull();
	});

	test("attachments over the store's limit: an error, or stored without content", async () => {
		const big = [attachment('a.bin', f.store.maxAttachmentBytesPerMail + 1)];
		const error = await mailCasesError(add({ mail: mail({ attachments: big }) }));
		expect(error.code).toBe('MESSAGE_TOO_LARGE');
		const r = added(
			await add({ mail: mail({ attachments: big }), content: { oversized: 'metadata' } }),
		);
		expect(r.attachmentsWithoutContent).toBe(true);
		expect(r.activity.attachments[0]).toMatchObject({ fileName: 'a.bin', hasContent: false });
	});
});

describe('R-PLUS-2: a mail processed before', () => {
	test('writes nothing and returns the earlier activity, even after the field was edited', async () => {
		const m = mail({ fromAddress: 'kontakt@kunde.example', text: 'Name = Neu' });
		const first = added(await add({ mail: m, applyFields: participants }));
		expect(first.fieldChanges).toHaveLength(1);
		await f.store.cases.update(kase.id, { fields: { Name: 'Von Hand' } });
		const again = await add({ mail: m, applyFields: participants });
		expect(again).toMatchObject({
			kind: 'replayed',
			entry: { outcome: 'activity_added' },
			case: { fields: { Name: 'Von Hand' } },
			activity: { id: first.activity.id },
			fields: { updates: { Name: 'Neu' } },
		});
		expect(await f.store.activities.listForCase(kase.id)).toHaveLength(3);
	});

	test('a mail the ledger recorded without an activity is a replay without case or activity', async () => {
		const m = mail();
		await f.store.ledger.recordOutcome({ messageKey: mailLedgerKey(m), outcome: 'ignored' });
		expect(await add({ mail: m })).toMatchObject({
			kind: 'replayed',
			entry: { outcome: 'ignored' },
			case: undefined,
			activity: undefined,
		});
	});
});

describe('R-PROC-5 / R-PLUS-5: Apply Field Lines in the same write', () => {
	test('a case participant sets fields; every change is recorded with old value, new value and sender', async () => {
		const r = added(
			await add({
				mail: mail({ fromAddress: 'agent@firma.example', text: 'Name = Neu\nBetrag = 7' }),
				applyFields: participants,
			}),
		);
		expect(r.case.fields).toEqual({ Name: 'Neu', Betrag: 7 });
		expect(r.fields).toMatchObject({
			updates: { Name: 'Neu', Betrag: 7 },
			sender: { allowed: true, reason: 'responsible-member' },
		});
		expect(r.fieldChanges.map((c) => [c.fieldName, c.oldValue, c.newValue, c.changedBy])).toEqual([
			['Name', 'Alt', 'Neu', 'agent@firma.example'],
			['Betrag', null, 7, 'agent@firma.example'],
		]);
	});

	test('a sender the policy refuses: the mail is stored, every field he wrote is rejected with the reason', async () => {
		const r = added(
			await add({
				mail: mail({ fromAddress: 'fremd@irgendwo.example', text: 'Name = Böse\nBetrag = x' }),
				applyFields: participants,
			}),
		);
		expect(r.case.fields).toEqual({ Name: 'Alt' });
		expect(r.fieldChanges).toEqual([]);
		expect(r.fields?.sender).toMatchObject({ allowed: false });
		expect(r.fields?.rejected.map((x) => x.field)).toEqual(['Name', 'Betrag']);
		expect(r.fields?.rejected[0].reason).toBe(r.fields?.sender?.message);
	});

	test('plus addressing folded on request; requester and known contact policies', async () => {
		const text = 'Name = Plus';
		const distinct = added(
			await add({
				mail: mail({ fromAddress: 'kontakt+shop@kunde.example', text }),
				applyFields: participants,
			}),
		);
		expect(distinct.fields?.sender?.allowed).toBe(false);
		const same = added(
			await add({
				mail: mail({ fromAddress: 'kontakt+shop@kunde.example', text }),
				applyFields: { ...participants, plusAddressing: 'same' },
			}),
		);
		expect(same.fields?.sender).toMatchObject({ allowed: true, reason: 'case-contact' });
		const requester = added(
			await add({
				mail: mail({ fromAddress: 'anfrage@kunde.example', text }),
				applyFields: { senderPolicy: ['caseContactOrRequester'] },
			}),
		);
		expect(requester.fields?.sender?.reason).toBe('requester');
		const known = added(
			await add({
				mail: mail({ fromAddress: 'kunde@kunde.example', text }),
				applyFields: { senderPolicy: ['knownContact'] },
			}),
		);
		expect(known.fields?.sender?.reason).toBe('known-contact');
	});

	test('a mail without field lines asks no sender policy', async () => {
		const r = added(
			await add({
				mail: mail({ fromAddress: 'fremd@irgendwo.example', text: 'Nur Text' }),
				applyFields: { senderPolicy: ['nobody'] },
			}),
		);
		expect(r.fields).toEqual({ updates: {}, unknown: [], invalid: [], rejected: [] });
	});

	test('feedback: unknown fields, rejected and invalid values, the line settings', async () => {
		const r = added(
			await add({
				mail: mail({
					fromAddress: 'agent@firma.example',
					text: 'farbe = rot\nname: Neu\nbetrag = 1.234\nStraße = Weg 1',
				}),
				applyFields: {
					...participants,
					lines: {
						separators: ['=', ':'],
						caseInsensitive: true,
						allowedFields: ['Name', 'Betrag'],
					},
				},
			}),
		);
		expect(r.fields).toMatchObject({
			updates: { Name: 'Neu' },
			unknown: ['farbe'],
			invalid: [expect.objectContaining({ field: 'Betrag', value: '1.234' })],
			rejected: [expect.objectContaining({ field: 'Straße' })],
		});
		const comma = added(
			await add({
				mail: mail({ fromAddress: 'agent@firma.example', text: 'Betrag = 1.234' }),
				applyFields: { ...participants, lines: { decimalSeparator: ',' } },
			}),
		);
		expect(comma.case.fields.Betrag).toBe(1234);
	});

	test('a limit that cut the reading of the field lines is said in notes', async () => {
		const lines = Array.from({ length: MAX_FIELD_LINES + 1 }, (_, i) => `Name = N${i}`);
		const r = added(
			await add({
				mail: mail({ fromAddress: 'agent@firma.example', text: lines.join('\n') }),
				applyFields: participants,
			}),
		);
		expect(r.fields?.notes?.length).toBeGreaterThan(0);
	});
});

describe('errors say what to change', () => {
	test('no case number, a case that does not exist, a mail without ledger key', async () => {
		expect(await mailCasesError(add({ caseNumber: '  ' }))).toMatchObject({
			code: 'INVALID_INPUT',
			message: expect.stringMatching(/^No case number: connect this node/),
		});
		expect(await mailCasesError(add({ caseNumber: '2026-999999' }))).toMatchObject({
			code: 'NOT_FOUND',
			message: 'Case 2026-999999 does not exist',
		});
		expect(await mailCasesError(add({ mail: mail({ messageId: null }) }))).toMatchObject({
			code: 'INVALID_INPUT',
			message: expect.stringMatching(/no Message-ID and no raw hash/),
		});
		expect(await f.store.activities.listForCase(kase.id)).toHaveLength(0);
	});
});
