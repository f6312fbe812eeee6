/**
 * #14.1 Field-line feedback on the case: Add to Case and Create Case from Mail hand the ledger,
 * with the mail, a note (author "Mail Cases") listing each field line that changed nothing and
 * why — unknown field, value not accepted, field not allowed, sender not allowed — so that it is
 * written in the same transaction as the mail (once per mail). A temp SQLite store; the ledger
 * write is observed (what it is given), not faked.
 */
import { addMailToCase } from '../../../../lib/cases/use-cases/add-mail-to-case';
import { createCaseFromMail } from '../../../../lib/cases/use-cases/create-case-from-mail';
import {
	FIELD_FEEDBACK_AUTHOR,
	fieldFeedbackNote,
} from '../../../../lib/cases/use-cases/field-feedback';
import type { Case } from '../../../../lib/store';
import { mail, openFixture, type Fixture } from './fixtures';

let f: Fixture;
let kase: Case;
beforeEach(async () => {
	f = await openFixture();
	kase = await f.store.cases.create({
		workflowId: f.workflow.id,
		responsibleOrgUnitId: f.service.id,
		requesterAddress: 'anfrage@kunde.example',
	});
});
afterEach(async () => {
	jest.restoreAllMocks();
	await f.close();
});

/** What the ledger was asked to write as feedback note (undefined: none). */
function feedbackGiven(spy: jest.SpyInstance): { author: string; text: string } | undefined {
	expect(spy).toHaveBeenCalledTimes(1);
	return (spy.mock.calls[0][0] as { fieldFeedback?: { author: string; text: string } })
		.fieldFeedback;
}

describe('Add to Case', () => {
	const add = (text: string, fromAddress: string, allowedFields?: string[]) =>
		addMailToCase(
			{ store: f.store },
			{
				caseNumber: kase.number,
				mail: mail({ text, fromAddress }),
				applyFields: { senderPolicy: ['caseParticipant'], lines: { allowedFields } },
			},
		);

	test('unknown field, value not accepted and a field not allowed: each line and why, in one note', async () => {
		const spy = jest.spyOn(f.store.ledger, 'addMailToCase');
		const r = await add(
			'Name = Neu\nFarbe = rot\nBetrag = zwölf\nStraße = Hauptstr. 1\n',
			'anfrage@kunde.example',
			['Name', 'Betrag'],
		);
		expect(r.kind).toBe('added');
		const note = feedbackGiven(spy);
		expect(note?.author).toBe('Mail Cases');
		expect(note?.text.split('\n')).toEqual([
			'Field lines of this mail that changed nothing:',
			"- Farbe: no field of this case's form (nothing created)",
			'- Betrag = "zwölf": value not accepted: not a number',
			'- Straße: not changed: field may not be set by e-mail',
		]);
		// the applied line is no feedback
		expect(note?.text).not.toContain('Name');
	});

	test('a sender who may not set fields: every line rejected as "sender not allowed", and the policy says why', async () => {
		const spy = jest.spyOn(f.store.ledger, 'addMailToCase');
		await add('Name = Fremd\nBetrag = 5\n', 'fremd@anders.example');
		const text = feedbackGiven(spy)?.text ?? '';
		expect(text).toContain('- Name: not changed: sender not allowed');
		expect(text).toContain('- Betrag: not changed: sender not allowed');
		expect(text).toMatch(
			/The sender fremd@anders\.example may not change fields of this case by e-mail: .+ Senders Who May Set Fields/,
		);
	});

	test('every line applied, no field lines, or Apply Field Lines off: no note', async () => {
		const spy = jest.spyOn(f.store.ledger, 'addMailToCase');
		await add('Name = Neu\n', 'anfrage@kunde.example');
		await add('Guten Tag, nur eine Frage.', 'anfrage@kunde.example');
		await addMailToCase(
			{ store: f.store },
			{ caseNumber: kase.number, mail: mail({ text: 'Farbe = rot' }) },
		);
		expect(spy.mock.calls.map((c) => 'fieldFeedback' in c[0])).toEqual([false, false, false]);
	});
});

describe('Create Case from Mail', () => {
	test('unknown fields and values not accepted of the first mail: the note goes with the new case', async () => {
		const spy = jest.spyOn(f.store.ledger, 'createCaseFromMail');
		const r = await createCaseFromMail(
			{ store: f.store, systemId: 'test' },
			{
				mail: mail({ text: 'Name = Mustermann\nFarbe = rot\nBetrag = viel\n' }),
				workflow: 'Reklamation',
				inboundWorkplace: 'Kundenservice',
			},
		);
		expect(r.kind).toBe('case');
		expect(spy).toHaveBeenCalledTimes(1);
		const given = spy.mock.calls[0][0] as { fieldFeedback?: { author: string; text: string } };
		expect(given.fieldFeedback).toEqual({
			author: FIELD_FEEDBACK_AUTHOR,
			text: [
				'Field lines of this mail that changed nothing:',
				"- Farbe: no field of this case's form (nothing created)",
				'- Betrag = "viel": value not accepted: not a number',
			].join('\n'),
		});
	});

	test('all lines taken: no note', async () => {
		const spy = jest.spyOn(f.store.ledger, 'createCaseFromMail');
		await createCaseFromMail(
			{ store: f.store, systemId: 'test' },
			{
				mail: mail({ text: 'Name = M' }),
				workflow: 'Reklamation',
				inboundWorkplace: 'Kundenservice',
			},
		);
		expect('fieldFeedback' in spy.mock.calls[0][0]).toBe(false);
	});
});

test('fieldFeedbackNote: long values cut to one short line; notes of a cut reading listed', () => {
	const note = fieldFeedbackNote({
		updates: {},
		unknown: [],
		invalid: [{ field: 'Betrag', value: `${'9'.repeat(100)}\nx`, reason: 'not a number' }],
		rejected: [],
		notes: ['only the first 100 field lines were read'],
	});
	expect(note?.text.split('\n')).toEqual([
		'Field lines of this mail that changed nothing:',
		`- Betrag = "${'9'.repeat(79)}…": value not accepted: not a number`,
		'- only the first 100 field lines were read',
	]);
	expect(fieldFeedbackNote(undefined)).toBeUndefined();
	expect(
		fieldFeedbackNote({ updates: { Name: 'x' }, unknown: [], invalid: [], rejected: [] }),
	).toBe(undefined);
});
