/**
 * Send Mail's flow without a mail server: Record on Case (R-PLUS-4, signed reference #11.7),
 * Send Once Per (R-PLUS-2), Reply to Incoming Mail with its limit (#11.6), the option errors.
 */
import { withCaseReference } from '../../../../lib/cases/case-number';
import { sendOnCase, type SendOnCaseInput } from '../../../../lib/cases/use-cases/send-on-case';
import type { Case } from '../../../../lib/store';
import { mailCasesError, openFixture, type Fixture } from './fixtures';
import { rcptRefused, recordingSender, refused, type RecordingSender } from './recording-sender';

let fx: Fixture;
let kase: Case;
let sender: RecordingSender;
let opened: number;
const deps = () => ({
	sender,
	systemId: 'instance-1',
	store: async () => {
		opened++;
		return fx.store;
	},
});
const send = (input: Partial<SendOnCaseInput>) =>
	sendOnCase(deps(), {
		to: 'kunde@kunde.example',
		subject: 'Ihre Anfrage',
		text: 'Text',
		...input,
	});

beforeEach(async () => {
	fx = await openFixture();
	kase = await fx.store.cases.create({
		workflowId: fx.workflow.id,
		responsibleOrgUnitId: fx.service.id,
	});
	sender = recordingSender();
	opened = 0;
});
afterEach(async () => fx.close());

describe('Send Mail: a plain mail', () => {
	test('goes out as given and opens no store', async () => {
		const result = await send({ cc: 'kopie@firma.example', headers: { 'X-Extra': '1' } });
		expect(result).toMatchObject({
			kind: 'sent',
			from: 'system@firma.example',
			subject: 'Ihre Anfrage',
		});
		expect(result).not.toHaveProperty('case');
		expect(sender.sent[0]).toMatchObject({
			to: [{ address: 'kunde@kunde.example' }],
			cc: [{ address: 'kopie@firma.example' }],
			headers: { 'X-Extra': '1' },
		});
		expect(opened).toBe(0);
	});

	test('attachments are read for the mail that goes out', async () => {
		const content = Buffer.from('PDF');
		await send({ attachments: async () => [{ filename: 'a.pdf', content }] });
		expect(sender.sent[0].attachments).toMatchObject([{ filename: 'a.pdf' }]);
	});
});

describe('R-PLUS-4 Record on Case', () => {
	test('the subject gets the signed reference and the Message-ID is recorded on the case', async () => {
		const result = await send({ caseNumber: kase.number });
		const subject = withCaseReference('Ihre Anfrage', kase.number, fx.referenceKey);
		expect(result).toMatchObject({
			kind: 'sent',
			subject,
			case: { id: kase.id, number: kase.number },
		});
		expect(sender.sent[0].subject).toBe(subject);
		expect(
			result.kind === 'sent' && (await fx.store.cases.isOutgoingMessageId(result.messageId)),
		).toBe(true);
	});

	test('a case that does not exist: NOT_FOUND, nothing sent', async () => {
		const error = await mailCasesError(send({ caseNumber: '1999-000001' }));
		expect(error.code).toBe('NOT_FOUND');
		expect(error.message).toMatch(
			/Record on Case: case 1999-000001 does not exist in .*; nothing was sent/,
		);
		expect(sender.sent).toHaveLength(0);
	});
});

describe('R-PLUS-2 Send Once Per', () => {
	test('the same key sends once; the replay names the same deterministic Message-ID', async () => {
		const first = await send({ caseNumber: kase.number, sendOnceKey: '<in-1@kunde.example>' });
		const again = await send({ caseNumber: kase.number, sendOnceKey: ' <in-1@kunde.example> ' });
		expect(first.kind).toBe('sent');
		expect(again).toMatchObject({ kind: 'alreadySent', case: { id: kase.id } });
		expect(again.kind === 'alreadySent' && again.messageId).toBe(
			first.kind === 'sent' && first.messageId,
		);
		expect(first.kind === 'sent' && first.messageId).toMatch(
			/^<mail-cases\.send\.[0-9a-f]{32}@firma\.example>$/,
		);
		const other = await send({ caseNumber: kase.number, sendOnceKey: '<in-2@kunde.example>' });
		expect(other.kind).toBe('sent');
		expect(sender.sent).toHaveLength(2);
	});

	test('a replay reads no attachments', async () => {
		await send({ caseNumber: kase.number, sendOnceKey: 'k' });
		let read = 0;
		await send({
			caseNumber: kase.number,
			sendOnceKey: 'k',
			attachments: async () => (read++, []),
		});
		expect(read).toBe(0);
	});
});

describe('option errors of the workflow', () => {
	test.each<[Partial<SendOnCaseInput>, RegExp]>([
		[{ sendOnceKey: 'k' }, /"Send Once Per" needs "Record on Case"/],
		[
			{ caseNumber: 'x', sendOnceKey: 'k', messageId: '<m@x>' },
			/"Message-ID" and "Send Once Per" cannot be used together/,
		],
		[{ caseNumber: '' }, /"Record on Case" is empty/],
		[{ caseNumber: 'x', sendOnceKey: '' }, /"Send Once Per" is empty/],
		[{ replyToIncoming: true, bcc: '' }, /remove the option "BCC"/],
		[{ limitPerRecipient: 3 }, /"Limit per Recipient" needs "Reply to Incoming Mail"/],
	])('%j: INVALID_INPUT, no store, nothing sent', async (input, message) => {
		const error = await mailCasesError(send(input));
		expect(error).toMatchObject({ code: 'INVALID_INPUT' });
		expect(error.message).toMatch(message);
		expect(opened).toBe(0);
		expect(sender.sent).toHaveLength(0);
	});
});

describe('#11.6 Reply to Incoming Mail', () => {
	test('a list as To is skipped (no error), nothing sent', async () => {
		const result = await send({ replyToIncoming: true, to: 'a@x.example, b@y.example' });
		expect(result).toMatchObject({ kind: 'skipped', skipped: 'several-recipients' });
		expect(sender.sent).toHaveLength(0);
	});

	test('goes to the one checked address; the limit skips further answers as rate-limited', async () => {
		const reply = { replyToIncoming: true, to: ' Kunde@Kunde.example ', limitPerRecipient: 1 };
		expect(await send(reply)).toMatchObject({ kind: 'sent' });
		expect(sender.sent[0].to).toMatchObject([{ address: 'Kunde@Kunde.example' }]);
		expect(await send(reply)).toMatchObject({
			kind: 'skipped',
			skipped: 'rate-limited',
			limit: { count: 1, limit: 1, periodMinutes: 60 },
		});
		expect(sender.sent).toHaveLength(1);
	});

	test('a Send Once Per replay counts nothing against the limit', async () => {
		const reply = { replyToIncoming: true, limitPerRecipient: 2, caseNumber: kase.number };
		await send({ ...reply, sendOnceKey: 'a' });
		expect(await send({ ...reply, sendOnceKey: 'a' })).toMatchObject({ kind: 'alreadySent' });
		expect(await send({ ...reply, sendOnceKey: 'b' })).toMatchObject({ kind: 'sent' });
		expect(await send({ ...reply, sendOnceKey: 'c' })).toMatchObject({
			kind: 'skipped',
			skipped: 'rate-limited',
		});
	});
});

describe('#14.1 / #14.2 the case history and permanent rejections', () => {
	const UNKNOWN = '5.1.1 <kunde@kunde.example>: Recipient address rejected: User unknown';
	const outgoing = async () =>
		(await fx.store.activities.listForCase(kase.id)).filter((a) => a.kind === 'outgoing_mail');

	test('a mail on a case is an outgoing_mail activity: mail, or acknowledgement with Reply to Incoming Mail', async () => {
		const mail = await send({ caseNumber: kase.number });
		const ack = await send({ caseNumber: kase.number, sendOnceKey: 'k1', replyToIncoming: true });
		if (mail.kind !== 'sent' || ack.kind !== 'sent') throw new Error('not sent');
		expect(
			(await outgoing()).map((a) => [a.purpose, a.outcome, a.messageId, a.to, a.subject]),
		).toEqual([
			[
				'mail',
				'sent',
				mail.messageId.slice(1, -1),
				['kunde@kunde.example'],
				sender.sent[0].subject,
			],
			[
				'acknowledgement',
				'sent',
				ack.messageId.slice(1, -1),
				['kunde@kunde.example'],
				sender.sent[1].subject,
			],
		]);
	});

	test('Record and Continue: the rejection is the result and the case history says rejected, with the reply', async () => {
		sender.failNext = rcptRefused(550, UNKNOWN);
		const result = await send({
			caseNumber: kase.number,
			sendOnceKey: 'k2',
			replyToIncoming: true,
			onPermanentRejection: 'recordAndContinue',
		});
		expect(result).toMatchObject({
			kind: 'rejected',
			rejectedBy: 'SMTP server mail.firma.example:25',
			reply: `550 ${UNKNOWN}`,
			rejected: ['kunde@kunde.example'],
			case: { number: kase.number },
		});
		expect(result.kind === 'rejected' && result.reason).toMatch(
			/^Rejected permanently by SMTP server mail\.firma\.example:25: 550 .*Recorded on case/,
		);
		expect(await outgoing()).toMatchObject([
			{
				purpose: 'acknowledgement',
				outcome: 'rejected',
				outcomeDetail: `Rejected by SMTP server mail.firma.example:25: 550 ${UNKNOWN}`,
			},
		]);
		// the same key again: not tried again
		expect(
			await send({ caseNumber: kase.number, sendOnceKey: 'k2', replyToIncoming: true }),
		).toMatchObject({
			kind: 'alreadySent',
			messageId: (result as { messageId: string }).messageId,
		});
	});

	test('Fail (the default): recorded on the case, then the error', async () => {
		sender.failNext = rcptRefused(550, UNKNOWN);
		const error = await mailCasesError(send({ caseNumber: kase.number, sendOnceKey: 'k3' }));
		expect(error.message).toMatch(
			new RegExp(`rejected permanently .*recorded as rejected on case ${kase.number}`),
		);
		expect(await outgoing()).toMatchObject([{ outcome: 'rejected' }]);
	});

	test('without a case, Record and Continue gives the rejection on the item and opens no store', async () => {
		sender.failNext = rcptRefused(550, UNKNOWN);
		expect(await send({ onPermanentRejection: 'recordAndContinue' })).toMatchObject({
			kind: 'rejected',
			reason: `Rejected permanently by SMTP server mail.firma.example:25: 550 ${UNKNOWN}`,
		});
		expect(opened).toBe(0);
	});

	test('a temporary failure: recorded as failed (no link), the error rethrown, the retry sends', async () => {
		const failure = refused();
		sender.failNext = failure;
		await expect(send({ caseNumber: kase.number, sendOnceKey: 'k4' })).rejects.toBe(failure);
		const [failed] = await outgoing();
		expect(failed).toMatchObject({ outcome: 'failed', outcomeDetail: failure.message });
		expect(await fx.store.cases.isOutgoingMessageId(`<${failed.messageId}>`)).toBe(false);
		expect(await send({ caseNumber: kase.number, sendOnceKey: 'k4' })).toMatchObject({
			kind: 'sent',
		});
	});
});
