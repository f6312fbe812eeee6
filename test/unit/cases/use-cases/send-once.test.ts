/**
 * R-PLUS-2 / R-PLUS-4: the one send-once mechanism (check, prepare, send, record) with both of
 * its records — outgoing Message-IDs on a case and a ledger entry — against a temp SQLite store.
 */
import { buildOutgoingMessage } from '../../../../lib/mail/outgoing-message';
import {
	recordedInLedger,
	recordedOnCase,
	sendOnce,
} from '../../../../lib/cases/use-cases/send-once';
import type { Case } from '../../../../lib/store';
import { openFixture, type Fixture } from './fixtures';
import { recordingSender, refused } from './recording-sender';

let fx: Fixture;
let kase: Case;
beforeEach(async () => {
	fx = await openFixture();
	kase = await fx.store.cases.create({
		workflowId: fx.workflow.id,
		responsibleOrgUnitId: fx.service.id,
	});
});
afterEach(async () => fx.close());

const message = (messageId?: string) =>
	buildOutgoingMessage({
		from: { address: 'system@firma.example' },
		to: 'kunde@kunde.example',
		subject: 'Hallo',
		text: 'Text',
		messageId,
	});

describe('sendOnce with the case record (Send Once Per, Notify Responsible)', () => {
	test('a deterministic id: sent and recorded once, then already sent without preparing', async () => {
		const sender = recordingSender();
		const id = '<once-1@firma.example>';
		let prepared = 0;
		const prepare = async () => {
			prepared++;
			return message(id);
		};
		const first = await sendOnce(sender, recordedOnCase(fx.store.cases, kase, id), prepare);
		expect(first).toMatchObject({ kind: 'sent', messageId: id });
		expect(await fx.store.cases.isOutgoingMessageId(id)).toBe(true);
		const again = await sendOnce(sender, recordedOnCase(fx.store.cases, kase, id), prepare);
		expect(again).toEqual({ kind: 'alreadySent' });
		expect(prepared).toBe(1);
		expect(sender.sent).toHaveLength(1);
	});

	test('without a once id every mail goes out and each is recorded on the case (R-PLUS-4)', async () => {
		const sender = recordingSender();
		for (let i = 0; i < 2; i++)
			await sendOnce(sender, recordedOnCase(fx.store.cases, kase), async () => message());
		expect(sender.sent).toHaveLength(2);
		for (const m of sender.sent)
			expect(await fx.store.cases.findCaseByMessageIds([m.messageId])).toMatchObject({
				id: kase.id,
			});
	});

	test('a failed send records nothing, so the retry sends', async () => {
		const sender = recordingSender();
		sender.failNext = refused();
		const once = recordedOnCase(fx.store.cases, kase, '<once-2@firma.example>');
		await expect(
			sendOnce(sender, once, async () => message('<once-2@firma.example>')),
		).rejects.toMatchObject({
			code: 'CONNECTION_REFUSED',
		});
		expect(await fx.store.cases.isOutgoingMessageId('<once-2@firma.example>')).toBe(false);
		expect(
			await sendOnce(sender, once, async () => message('<once-2@firma.example>')),
		).toMatchObject({
			kind: 'sent',
		});
	});

	test('a record that fails after sending says the mail did go out', async () => {
		const sender = recordingSender();
		const gone = { id: 999_999, number: '2026-999999' };
		const error = await sendOnce(sender, recordedOnCase(fx.store.cases, gone), async () =>
			message('<x-1@firma.example>'),
		).catch((e: unknown) => e);
		expect(String((error as Error).message)).toMatch(
			/^The mail <x-1@firma.example> was sent, but recording it on case 2026-999999 failed/,
		);
		expect(sender.sent).toHaveLength(1);
	});

	test('prepare may skip the mail: nothing sent, nothing recorded', async () => {
		const sender = recordingSender();
		const result = await sendOnce(sender, recordedOnCase(fx.store.cases, kase), async () => ({
			skip: 'why',
		}));
		expect(result).toEqual({ kind: 'skipped', skip: 'why' });
		expect(sender.sent).toHaveLength(0);
	});
});

describe('sendOnce with the ledger record (Forward)', () => {
	test('the first send is recorded as forwarded; the second finds it with its time', async () => {
		const sender = recordingSender();
		const key = `sha256:${'a'.repeat(64)}`;
		const once = recordedInLedger(fx.store.ledger, key, 'mid:x forwarded to a@b.example');
		expect(await sendOnce(sender, once, async () => message())).toMatchObject({ kind: 'sent' });
		expect(await fx.store.ledger.lookup(key)).toMatchObject({ outcome: 'forwarded' });
		const again = await sendOnce(sender, once, async () => message());
		expect(again.kind).toBe('alreadySent');
		expect(again.kind === 'alreadySent' && again.at).toBeInstanceOf(Date);
		expect(sender.sent).toHaveLength(1);
	});
});
