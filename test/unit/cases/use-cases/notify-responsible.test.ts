/**
 * R-PROC-3 Notify Responsible without a mail server: who is notified, the notification's
 * signed reference and auto headers, recording on the case (R-PLUS-4), no second notification
 * for the same mail (R-PLUS-2), what is refused.
 */
import { findCaseNumbers } from '../../../../lib/cases/case-number';
import {
	notifyResponsible,
	type NotifyResponsibleInput,
} from '../../../../lib/cases/use-cases/notify-responsible';
import { MailCasesError } from '../../../../lib/errors';
import type { Case } from '../../../../lib/store';
import { mail, mailCasesError, openFixture, type Fixture } from './fixtures';
import { rcptRefused, recordingSender, type RecordingSender } from './recording-sender';

let fx: Fixture;
let kase: Case;
let sender: RecordingSender;
const notify = (input: Partial<NotifyResponsibleInput> = {}) =>
	notifyResponsible(
		{ store: fx.store, sender, systemId: 'instance-1' },
		{ mail: mail({ subject: 'Reklamation' }), caseNumber: kase.number, ...input },
	);

beforeEach(async () => {
	fx = await openFixture();
	kase = await fx.store.cases.create({
		workflowId: fx.workflow.id,
		responsibleOrgUnitId: fx.service.id,
	});
	sender = recordingSender();
});
afterEach(async () => fx.close());

describe('R-PROC-3 the notification', () => {
	test('goes to the org unit, carries the signed reference and auto headers, recorded on the case', async () => {
		const result = await notify();
		expect(result).toMatchObject({
			kind: 'notified',
			recipients: ['agent@firma.example'],
			accepted: ['agent@firma.example'],
			orgUnit: { id: fx.service.id },
			case: { id: kase.id },
			from: 'system@firma.example',
		});
		const sent = sender.sent[0];
		const [reference] = findCaseNumbers(sent.subject, { referenceKey: fx.referenceKey });
		expect(reference).toMatchObject({ number: kase.number, signature: 'valid' });
		expect(sent.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' });
		expect(result.kind === 'notified' && result.messageId).toMatch(/^<mail-cases\.notify\./);
		expect(await fx.store.cases.findCaseByMessageIds([sent.messageId])).toMatchObject({
			id: kase.id,
		});
	});

	test('Additional Recipients once each (ignoring case); the sender is left out unless asked', async () => {
		const input = {
			mail: mail({ fromAddress: 'Agent@Firma.example' }),
			additionalRecipients: 'chef@firma.example, AGENT@firma.example, chef@FIRMA.example',
		};
		expect(await notify(input)).toMatchObject({ recipients: ['chef@firma.example'] });
		expect(
			await notify({
				...input,
				mail: mail({ fromAddress: 'Agent@Firma.example' }),
				includeSender: true,
			}),
		).toMatchObject({
			recipients: ['agent@firma.example', 'chef@firma.example'],
		});
	});

	test('the sender is the only one to notify: skipped, nothing sent', async () => {
		const result = await notify({ mail: mail({ fromAddress: 'agent@firma.example' }) });
		expect(result).toMatchObject({
			kind: 'skipped',
			recipients: [],
			reason: 'The sender of the mail is the only one to notify',
		});
		expect(sender.sent).toHaveLength(0);
	});
});

describe('R-PLUS-2 the same mail processed again', () => {
	test('is not notified a second time', async () => {
		const incoming = mail();
		const first = await notify({ mail: incoming });
		const again = await notify({ mail: incoming });
		expect(again).toMatchObject({ kind: 'alreadySent', recipients: ['agent@firma.example'] });
		expect(again.kind === 'alreadySent' && again.messageId).toBe(
			first.kind === 'notified' && first.messageId,
		);
		expect(sender.sent).toHaveLength(1);
	});

	test('a mail without Message-ID and raw hash cannot be recognised: notified each time', async () => {
		const incoming = mail({ messageId: null });
		await notify({ mail: incoming });
		expect(await notify({ mail: incoming })).toMatchObject({ kind: 'notified' });
		expect(sender.sent).toHaveLength(2);
	});

	test('a failed send records nothing: the retry notifies', async () => {
		const incoming = mail();
		sender.failNext = new MailCasesError('CONNECTION_LOST', 'gone');
		await expect(notify({ mail: incoming })).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
		expect(await notify({ mail: incoming })).toMatchObject({ kind: 'notified' });
	});
});

describe('refused', () => {
	test('no case number', async () => {
		expect(await mailCasesError(notify({ caseNumber: '  ' }))).toMatchObject({
			code: 'INVALID_INPUT',
		});
	});

	test('a case that does not exist', async () => {
		expect(await mailCasesError(notify({ caseNumber: '1999-000001' }))).toMatchObject({
			code: 'NOT_FOUND',
		});
	});

	test('an org unit without members and no Additional Recipients', async () => {
		const empty = await fx.store.orgUnits.create({ name: 'Leer', kind: 'role', members: [] });
		const lonely = await fx.store.cases.create({
			workflowId: fx.workflow.id,
			responsibleOrgUnitId: empty.id,
		});
		const error = await mailCasesError(notify({ caseNumber: lonely.number }));
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toMatch(/role "Leer" has no members with an e-mail address/);
		expect(
			await notify({ caseNumber: lonely.number, additionalRecipients: 'chef@firma.example' }),
		).toMatchObject({
			kind: 'notified',
			recipients: ['chef@firma.example'],
		});
	});
});

describe('#14.1 / #14.2 the notification in the case history', () => {
	const outgoing = async () =>
		(await fx.store.activities.listForCase(kase.id)).filter((a) => a.kind === 'outgoing_mail');

	test('a notification is an outgoing_mail activity with purpose notification', async () => {
		const result = await notify();
		expect(await outgoing()).toMatchObject([
			{
				purpose: 'notification',
				outcome: 'sent',
				to: ['agent@firma.example'],
				messageId: result.kind === 'notified' ? result.messageId.slice(1, -1) : '-',
			},
		]);
	});

	test('refused for good: recorded; Record and Continue says rejected, Fail (default) throws', async () => {
		const unknown = '5.1.1 <agent@firma.example>: Recipient address rejected: User unknown';
		sender.failNext = rcptRefused(550, unknown, ['agent@firma.example']);
		const result = await notify({ onPermanentRejection: 'recordAndContinue' });
		expect(result).toMatchObject({
			kind: 'rejected',
			rejected: ['agent@firma.example'],
			reply: `550 ${unknown}`,
			rejectedBy: 'SMTP server mail.firma.example:25',
		});
		expect(await outgoing()).toMatchObject([{ purpose: 'notification', outcome: 'rejected' }]);
		// another mail, Fail
		sender.failNext = rcptRefused(550, unknown, ['agent@firma.example']);
		const error = await mailCasesError(notify({ mail: mail({ subject: 'Noch eine' }) }));
		expect(error.message).toMatch(
			new RegExp(
				`^The notification to agent@firma.example .* was rejected permanently by SMTP server mail.firma.example:25.*recorded as rejected on case ${kase.number}`,
			),
		);
		expect((await outgoing()).map((a) => a.outcome)).toEqual(['rejected', 'rejected']);
	});
});
