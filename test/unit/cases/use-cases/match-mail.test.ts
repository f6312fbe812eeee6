/**
 * matchMail against a temp SQLite store, no servers (issue #12 item 1): finding the case, the
 * sender policy (issue #11.7 signedOrParticipant, Authentication-Results), ledger replays.
 */
import { mailLedgerKey } from '../../../../lib/cases/mail-ledger-key';
import { matchMail, type MatchMailInput } from '../../../../lib/cases/use-cases/match-mail';
import type { Case } from '../../../../lib/store';
import { mail, mailCasesError, openFixture, type Fixture } from './fixtures';

let f: Fixture;
let kase: Case;
let other: Case;
beforeEach(async () => {
	f = await openFixture();
	const contact = await f.store.contacts.create({ email: 'kontakt@kunde.example' });
	kase = await f.store.cases.create({
		workflowId: f.workflow.id,
		responsibleOrgUnitId: f.service.id,
		contactId: contact.id,
	});
	other = await f.store.cases.create({
		workflowId: f.workflow.id,
		responsibleOrgUnitId: f.service.id,
	});
	await f.store.cases.recordOutgoingMessageId(other.id, '<notify-1@firma.example>');
});
afterEach(async () => {
	await f.close();
});

const signed = (c: Case) => `[#${c.number}-${f.referenceKey.tag(c.number)}]`;
const STRANGER = 'fremd@irgendwo.example';

function match(input: Partial<MatchMailInput> = {}) {
	return matchMail(
		{ store: f.store, referenceKey: f.referenceKey },
		{ mail: mail(), senderPolicy: ['signedOrParticipant'], ...input },
	);
}

describe('R-PROC-1 / R-PLUS-4: the case of a mail', () => {
	test('by the number in the subject, with its signed reference and how it was found', async () => {
		const r = await match({
			mail: mail({ subject: `AW: [#${kase.number}] Frage` }),
			senderPolicy: ['anyone'],
		});
		expect(r).toEqual({
			matched: true,
			case: expect.objectContaining({ id: kase.id }),
			reference: signed(kase),
			caseMatch: {
				via: 'subject',
				caseNumbers: [kase.number],
				reference: { kind: 'reference', signature: 'unsigned' },
				repliesToOurMail: false,
				sender: { reason: 'anyone', message: 'every sender may change cases by e-mail' },
			},
		});
	});

	test('by the reply headers; when subject and thread disagree the subject wins and the thread case is named', async () => {
		const reply = { inReplyTo: '<notify-1@firma.example>', fromAddress: STRANGER };
		const thread = await match({ mail: mail({ subject: 'AW: Ihre Anfrage', ...reply }) });
		expect(thread).toMatchObject({
			matched: true,
			case: { id: other.id },
			caseMatch: { via: 'thread', repliesToOurMail: true, sender: { reason: 'reply-to-our-mail' } },
		});
		const both = await match({ mail: mail({ subject: signed(kase), ...reply }) });
		expect(both).toMatchObject({
			matched: true,
			case: { id: kase.id },
			caseMatch: { via: 'subject', threadCaseNumber: other.number },
		});
		const off = await match({ mail: mail({ subject: 'AW: x', ...reply }), threadHeaders: false });
		expect(off).toMatchObject({ matched: false, reason: 'no-case-reference' });
	});

	test('unmatched: no reference, a number that names no case', async () => {
		expect(await match({ mail: mail({ subject: 'Hallo' }) })).toEqual({
			matched: false,
			reason: 'no-case-reference',
			message: 'The subject names no case number and the mail is no reply',
			caseNumbers: [],
		});
		expect(await match({ mail: mail({ subject: '[#1999-000999] Alt' }) })).toMatchObject({
			matched: false,
			reason: 'case-not-found',
			caseNumbers: ['1999-000999'],
		});
	});

	test('format, keywords, patterns and bare numbers as given', async () => {
		const n = kase.number;
		const anyone = { senderPolicy: ['anyone' as const] };
		expect(
			await match({
				...anyone,
				mail: mail({ subject: `Schaden Nr. ${n}` }),
				patterns: ['Schaden\\s+Nr\\.?\\s*(\\d{4}-\\d{6})'],
				bareNumbers: false,
			}),
		).toMatchObject({ matched: true });
		expect(
			await match({
				...anyone,
				mail: mail({ subject: `Reklamation ${n}` }),
				keywords: ['Reklamation'],
				bareNumbers: false,
			}),
		).toMatchObject({ matched: true });
		expect(
			await match({ ...anyone, mail: mail({ subject: `Bezug ${n}` }), bareNumbers: false }),
		).toMatchObject({ matched: false });
		expect(
			await match({ ...anyone, mail: mail({ subject: `[#${n}]` }), caseNumberFormat: 'T-{SEQ:4}' }),
		).toMatchObject({ matched: false });
		const error = await mailCasesError(
			match({ mail: mail({ subject: 'x' }), patterns: ['(a)(b)'] }),
		);
		expect(error.code).toBe('INVALID_INPUT');
	});
});

describe('R-PLUS-5 / #11.7: whose mail may reach the case', () => {
	test('signedOrParticipant: a signed reference lets anyone in; a typed number only a participant or earlier sender', async () => {
		const fromStranger = (subject: string) => mail({ subject, fromAddress: STRANGER });
		expect(await match({ mail: fromStranger(signed(kase)) })).toMatchObject({
			matched: true,
			caseMatch: { reference: { signature: 'valid' }, sender: { reason: 'signed-reference' } },
		});
		expect(await match({ mail: fromStranger(`[#${kase.number}] Frage`) })).toEqual({
			matched: false,
			reason: 'unsigned-reference-from-stranger',
			message: `Case ${kase.number}: the subject names the case without a signed reference, and the sender takes no part in the case`,
			caseNumbers: [kase.number],
			caseNumber: kase.number,
		});
		expect(await match({ mail: fromStranger(`[#${kase.number}-zzzzzz]`) })).toMatchObject({
			matched: false,
			reason: 'invalid-reference-tag',
		});
		const contact = mail({ subject: `[#${kase.number}]`, fromAddress: 'kontakt@kunde.example' });
		expect(await match({ mail: contact })).toMatchObject({
			matched: true,
			caseMatch: { sender: { reason: 'case-contact' } },
		});
		await f.store.ledger.addMailToCase({
			messageKey: 'mid:earlier@irgendwo.example',
			caseId: kase.id,
			mail: { messageId: '<earlier@irgendwo.example>', from: STRANGER },
		});
		expect(await match({ mail: fromStranger(`[#${kase.number}]`) })).toMatchObject({
			matched: true,
			caseMatch: { sender: { reason: 'earlier-sender' } },
		});
	});

	test('a reply to a stored mail that is not ours, from a stranger', async () => {
		await f.store.ledger.addMailToCase({
			messageKey: 'mid:stored@kunde.example',
			caseId: kase.id,
			mail: { messageId: '<stored@kunde.example>', from: 'kontakt@kunde.example' },
		});
		const r = await match({
			mail: mail({ subject: 'AW: x', inReplyTo: '<stored@kunde.example>', fromAddress: STRANGER }),
		});
		expect(r).toMatchObject({ matched: false, reason: 'reply-to-unknown-mail-from-stranger' });
	});

	test('other policies refuse with sender-not-allowed', async () => {
		const r = await match({
			mail: mail({ subject: signed(kase), fromAddress: STRANGER }),
			senderPolicy: ['caseParticipant'],
		});
		expect(r).toMatchObject({
			matched: false,
			reason: 'sender-not-allowed',
			message: `Case ${kase.number}: the sender is not allowed to change this case by e-mail`,
			caseNumber: kase.number,
		});
	});

	test("dmarc=fail from the trusted server makes the From a stranger's; an untrusted server is not read", async () => {
		const headers = {
			'authentication-results': 'mx.firma.example; dmarc=fail (p=reject) header.from=kunde.example',
		};
		const contact = mail({
			subject: `[#${kase.number}]`,
			fromAddress: 'kontakt@kunde.example',
			headers,
		});
		expect(await match({ mail: contact, trustedAuthservId: 'mx.firma.example' })).toMatchObject({
			matched: false,
			reason: 'from-failed-dmarc',
		});
		expect(await match({ mail: contact, trustedAuthservId: 'mx.anderer.example' })).toMatchObject({
			matched: true,
			caseMatch: { sender: { reason: 'case-contact' } },
		});
		const signedMail = { ...contact, subject: signed(kase) };
		const r = await match({ mail: signedMail, trustedAuthservId: 'mx.firma.example' });
		expect(r).toMatchObject({ matched: true, caseMatch: { dmarc: 'fail' } });
	});
});

describe('R-PLUS-2: a mail processed before takes the same way', () => {
	test('a mail stored in a case goes back to it, without asking the sender policy again', async () => {
		const m = mail({ subject: 'ohne Nummer', fromAddress: STRANGER });
		await f.store.ledger.addMailToCase({
			messageKey: mailLedgerKey(m),
			caseId: kase.id,
			mail: { messageId: m.messageId, from: STRANGER },
		});
		const r = await match({ mail: m, senderPolicy: ['nobody'] });
		expect(r).toMatchObject({ matched: true, case: { id: kase.id }, caseMatch: { via: 'ledger' } });
		expect(r.matched && r.caseMatch.sender).toBeUndefined();
	});

	test('a mail that opened a case is unmatched again with reason opened-case', async () => {
		const m = mail({ subject: signed(kase), messageId: null, rawHash: 'b'.repeat(64) });
		const opened = await f.store.ledger.createCaseFromMail({
			messageKey: mailLedgerKey(m),
			workflowId: f.workflow.id,
			responsibleOrgUnitId: f.service.id,
			mail: { messageId: null, from: 'kunde@kunde.example' },
		});
		expect(await match({ mail: m })).toEqual({
			matched: false,
			reason: 'opened-case',
			message: `This mail opened case ${opened.case?.number} when it was processed before; it takes the same way again`,
			caseNumbers: [kase.number],
		});
	});

	test('a mail without any ledger key is simply not looked up', async () => {
		const m = mail({
			subject: `[#${kase.number}]`,
			messageId: null,
			fromAddress: 'kontakt@kunde.example',
		});
		expect(await match({ mail: m })).toMatchObject({
			matched: true,
			caseMatch: { via: 'subject' },
		});
	});
});
