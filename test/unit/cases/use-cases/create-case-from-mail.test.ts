/**
 * createCaseFromMail against a temp SQLite store, no servers (issue #12 item 1).
 */
import { mailLedgerKey } from '../../../../lib/cases/mail-ledger-key';
import { MAX_FIELD_LINES } from '../../../../lib/mail/limits';
import {
	createCaseFromMail,
	type CreateCaseFromMailInput,
	type CreateCaseFromMailResult,
} from '../../../../lib/cases/use-cases/create-case-from-mail';
import { mail, mailCasesError, openFixture, type Fixture } from './fixtures';

let f: Fixture;
beforeEach(async () => {
	f = await openFixture();
});
afterEach(async () => {
	await f.close();
});

const SYSTEM_ID = 'system-under-test';

function create(input: Partial<CreateCaseFromMailInput> = {}) {
	return createCaseFromMail(
		{ store: f.store, systemId: SYSTEM_ID },
		{ mail: mail(), workflow: 'Reklamation', inboundWorkplace: 'Kundenservice', ...input },
	);
}

function opened(result: CreateCaseFromMailResult) {
	if (result.kind !== 'case') throw new Error(`expected a case, got ${result.kind}`);
	return result;
}

describe('R-PROC-6b: a case from a mail', () => {
	test('in the workflow, at the inbound workplace, its field lines in the form, the sender as requester, the first contact with his address linked', async () => {
		const m = mail({
			subject: 'AW: Fwd: Kaputter Toaster',
			text: 'Guten Tag,\nName = Mustermann\nBetrag = 12,50\nFarbe = rot\n',
			html: '<p>Hallo <img src="https://tracker.example/x.png"></p>',
		});
		const r = opened(await create({ mail: m }));
		expect(r).toMatchObject({
			replayed: false,
			workflow: { id: f.workflow.id },
			responsible: { id: f.service.id },
			contact: { lastName: 'Erster' },
			blockedImages: 1,
		});
		expect(r.case).toMatchObject({
			title: 'Kaputter Toaster',
			fields: { Name: 'Mustermann', Betrag: 12.5 },
			responsibleOrgUnitId: f.service.id,
			requesterAddress: 'kunde@kunde.example',
		});
		expect(r.reference).toBe(`[#${r.case.number}-${f.referenceKey.tag(r.case.number)}]`);
		expect(r.fields).toMatchObject({
			updates: { Name: 'Mustermann', Betrag: 12.5 },
			unknown: ['Farbe'],
		});
		const activities = await f.store.activities.listForCase(r.case.id);
		// #14.1: the unknown field Farbe is told on the case in a note written with the mail
		expect(activities.map((a) => [a.id, a.kind, a.messageId, a.outcome])).toEqual([
			[r.activityId, 'incoming_mail', m.messageId?.slice(1, -1), null],
			[expect.any(Number), 'note', null, 'field_feedback'],
		]);
	});

	test('workflow and workplace by id; a title given; no contact with the address: none linked', async () => {
		const r = opened(
			await create({
				mail: mail({ fromAddress: 'fremd@irgendwo.example' }),
				workflow: String(f.workflow.id),
				inboundWorkplace: ` ${f.service.id} `,
				title: '  Eigener Titel ',
			}),
		);
		expect(r.case).toMatchObject({
			title: 'Eigener Titel',
			workflowId: f.workflow.id,
			contactId: null,
			requesterAddress: 'fremd@irgendwo.example',
		});
		expect(r.contact).toBeUndefined();
	});

	test('#11.6: a mail without a valid sender (the item reader drops "a@x, b@y") has no requester', async () => {
		const r = opened(await create({ mail: mail({ from: null }) }));
		expect(r.case.requesterAddress).toBeNull();
		expect(r.case.contactId).toBeNull();
	});

	test('field feedback: invalid values, allowed fields, "Field: Value", case-insensitive names, the decimal separator', async () => {
		const text = 'name: Mustermann\nBetrag = 1.234\nStraße = Hauptweg 1\n';
		const strict = opened(await create({ mail: mail({ text }) }));
		expect(strict.fields).toEqual({
			updates: { Straße: 'Hauptweg 1' },
			unknown: [],
			invalid: [expect.objectContaining({ field: 'Betrag', value: '1.234' })],
			rejected: [],
		});
		const loose = opened(
			await create({
				mail: mail({ text }),
				fieldLines: {
					separators: ['=', ':'],
					caseInsensitive: true,
					allowedFields: ['Name', 'Betrag'],
					decimalSeparator: ',',
				},
			}),
		);
		expect(loose.fields).toMatchObject({
			updates: { Name: 'Mustermann', Betrag: 1234 },
			rejected: [expect.objectContaining({ field: 'Straße' })],
		});
		expect(loose.case.fields).toEqual({ Name: 'Mustermann', Betrag: 1234 });
	});

	test('a limit that cut the reading of the field lines is said in notes', async () => {
		const lines = Array.from({ length: MAX_FIELD_LINES + 5 }, (_, i) => `Name = N${i}`);
		const r = opened(await create({ mail: mail({ text: lines.join('\n') }) }));
		expect(r.fields?.notes?.length).toBeGreaterThan(0);
	});
});

describe('R-PLUS-3: automatic mail opens no case', () => {
	test("the trigger's classification decides when the item has one", async () => {
		const r = await create({
			mail: mail(),
			classification: { class: 'autoReply', reasons: ['Auto-Submitted: auto-replied'] },
		});
		expect(r).toEqual({
			kind: 'automatic-mail',
			message: 'Automatic mail (autoReply) opens no case',
			verdict: { class: 'autoReply', reasons: ['Auto-Submitted: auto-replied'] },
		});
		expect(await f.store.countCases()).toBe(0);
	});

	test('else the header fields are classified; skipAutomaticMail false opens a case anyway', async () => {
		const auto = mail({ headers: { 'auto-submitted': 'auto-replied' } });
		expect((await create({ mail: auto })).kind).toBe('automatic-mail');
		expect((await create({ mail: auto, skipAutomaticMail: false })).kind).toBe('case');
	});
});

describe('R-PLUS-2: a mail processed before', () => {
	test('returns the case it opened, whatever the input says now', async () => {
		const m = mail({ text: 'Name = Erst' });
		const first = opened(await create({ mail: m }));
		await f.store.workflows.update(f.workflow.id, { active: false });
		const again = opened(await create({ mail: m, workflow: '', inboundWorkplace: '' }));
		expect(again).toMatchObject({
			replayed: true,
			activityId: first.activityId,
			case: { id: first.case.id },
			fields: { updates: { Name: 'Erst' } },
			blockedImages: 0,
		});
		expect(await f.store.countCases()).toBe(1);
	});

	test('a mail without Message-ID is known by its raw hash', async () => {
		const m = mail({ messageId: null, rawHash: 'a'.repeat(64) });
		const first = opened(await create({ mail: m }));
		expect(opened(await create({ mail: { ...m } })).case.id).toBe(first.case.id);
	});

	test('a mail the ledger recorded otherwise opens nothing', async () => {
		const forwarded = mail();
		await f.store.ledger.recordOutcome({
			messageKey: mailLedgerKey(forwarded),
			outcome: 'forwarded',
		});
		expect(await create({ mail: forwarded })).toMatchObject({
			kind: 'processed-before',
			message: 'The mail was processed before (forwarded); no case is opened for it',
			entry: { outcome: 'forwarded' },
			case: undefined,
		});

		const added = mail();
		const c = await f.store.cases.create({
			workflowId: f.workflow.id,
			responsibleOrgUnitId: f.service.id,
		});
		await f.store.ledger.addMailToCase({
			messageKey: mailLedgerKey(added),
			caseId: c.id,
			mail: { messageId: added.messageId, from: 'kunde@kunde.example' },
		});
		expect(await create({ mail: added })).toMatchObject({
			kind: 'processed-before',
			message: `The mail was processed before (activity_added, case ${c.number}); no case is opened for it`,
			case: { id: c.id },
		});
	});
});

describe('errors say what to change', () => {
	test.each([
		['no workflow', { workflow: ' ' }, 'INVALID_INPUT', /Choose the case workflow/],
		['unknown workflow', { workflow: 'Gibt es nicht' }, 'NOT_FOUND', /"Gibt es nicht" does not/],
		['no workplace', { inboundWorkplace: '' }, 'INVALID_INPUT', /Choose the inbound workplace/],
		['unknown workplace', { inboundWorkplace: '999' }, 'NOT_FOUND', /role "999" does not exist/],
		[
			'no ledger key',
			{ mail: mail({ messageId: null }) },
			'INVALID_INPUT',
			/no Message-ID and no raw hash/,
		],
	])('%s → %s', async (_name, input, code, message) => {
		const error = await mailCasesError(create(input as Partial<CreateCaseFromMailInput>));
		expect(error.code).toBe(code);
		expect(error.message).toMatch(message);
		expect(await f.store.countCases()).toBe(0);
	});

	test('an inactive workflow starts no case', async () => {
		await f.store.workflows.update(f.workflow.id, { active: false });
		const error = await mailCasesError(create());
		expect(error.code).toBe('WORKFLOW_INACTIVE');
		expect(error.message).toMatch(/"Reklamation" is inactive/);
	});
});
