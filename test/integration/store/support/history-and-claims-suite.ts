/**
 * #14.1 and #15.2 in the store: outgoing mail records, delivery failures (bounces), Field-line
 * feedback notes and send claims. One suite for both backends: the unit project runs it on
 * SQLite (test/unit/store/history-and-claims.test.ts), the integration project on PostgreSQL
 * (test/integration/store/history-and-claims.test.ts).
 */
import type { OutgoingMailRecord, Store } from '../../../../lib/store';
import { seed, StoreSite, type BackendName } from './backends';

/** A clock the test moves: one millisecond per reading, `advance` jumps. */
export function testClock(start = new Date(2026, 2, 1, 10, 0, 0)) {
	let t = start.getTime();
	return {
		now: () => new Date(t++),
		advance(ms: number) {
			t += ms;
		},
		peek: () => new Date(t),
	};
}

const DIGEST_A = 'a'.repeat(64);
const DIGEST_B = 'b'.repeat(64);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function historyAndClaimsSuite(backend: BackendName): void {
	let site: StoreSite;
	let store: Store;
	let clock: ReturnType<typeof testClock>;
	let fx: Awaited<ReturnType<typeof seed>>;
	let caseId: number;

	beforeEach(async () => {
		site = new StoreSite(backend);
		clock = testClock();
		store = await site.open({ now: clock.now });
		fx = await seed(store);
		caseId = (
			await store.ledger.createCaseFromMail({
				messageKey: 'mid:request-1@customer.example',
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: {
					messageId: 'request-1@customer.example',
					from: 'schulz@customer.example',
					subject: 'Heizung defekt',
				},
			})
		).case!.id;
	});

	afterEach(async () => {
		await site.cleanup();
	});

	function ack(overrides: Partial<OutgoingMailRecord> = {}): OutgoingMailRecord {
		return {
			caseId,
			purpose: 'acknowledgement',
			messageId: '<ack-1@mail-cases.example>',
			from: 'service@firma.example',
			to: ['schulz@customer.example'],
			subject: 'Ihr Anliegen 2026-000001',
			text: 'Wir haben Ihre Nachricht erhalten.',
			outcome: 'sent',
			...overrides,
		};
	}

	describe('recordOutgoing (#14.1)', () => {
		test('a sent mail is an outgoing_mail activity with purpose, recipients and outcome; its Message-ID finds the case', async () => {
			const activity = await store.activities.recordOutgoing(
				ack({ cc: ['office@customer.example'], detail: 'refused: other@customer.example' }),
			);
			expect(activity).toMatchObject({
				caseId,
				kind: 'outgoing_mail',
				messageId: 'ack-1@mail-cases.example',
				from: 'service@firma.example',
				to: ['schulz@customer.example'],
				cc: ['office@customer.example'],
				subject: 'Ihr Anliegen 2026-000001',
				text: 'Wir haben Ihre Nachricht erhalten.',
				purpose: 'acknowledgement',
				outcome: 'sent',
				outcomeDetail: 'refused: other@customer.example',
			});
			const history = await store.activities.listForCase(caseId);
			expect(history.map((a) => [a.kind, a.purpose, a.outcome])).toEqual([
				['incoming_mail', null, null],
				['outgoing_mail', 'acknowledgement', 'sent'],
			]);
			expect((await store.activities.get(activity.id))!.purpose).toBe('acknowledgement');
			expect((await store.cases.findCaseByMessageIds(['<ack-1@mail-cases.example>']))?.id).toBe(
				caseId,
			);
		});

		test('a rejected mail keeps the server reply and its Message-ID is linked; a failed one is not linked', async () => {
			const rejected = await store.activities.recordOutgoing(
				ack({
					purpose: 'notification',
					messageId: 'notify-1@mail-cases.example',
					to: ['root@localhost'],
					outcome: 'rejected',
					detail: '550 5.1.1 <root@localhost>: Recipient address rejected',
				}),
			);
			expect(rejected).toMatchObject({
				purpose: 'notification',
				outcome: 'rejected',
				outcomeDetail: '550 5.1.1 <root@localhost>: Recipient address rejected',
			});
			expect(await store.cases.isOutgoingMessageId('notify-1@mail-cases.example')).toBe(true);

			const failed = await store.activities.recordOutgoing(
				ack({
					purpose: 'forward',
					messageId: 'fwd-1@mail-cases.example',
					outcome: 'failed',
					detail: 'connection timed out',
				}),
			);
			expect(failed).toMatchObject({ purpose: 'forward', outcome: 'failed' });
			expect(await store.cases.isOutgoingMessageId('fwd-1@mail-cases.example')).toBe(false);
			expect(await store.cases.casesOfSentMessageIds(['<fwd-1@mail-cases.example>'])).toEqual([]);
			// a failed attempt may be followed by the successful one under the same Message-ID
			const sent = await store.activities.recordOutgoing(
				ack({ purpose: 'forward', messageId: 'fwd-1@mail-cases.example' }),
			);
			expect(sent.id).not.toBe(failed.id);
			expect(await store.cases.isOutgoingMessageId('fwd-1@mail-cases.example')).toBe(true);
		});

		test('recording the same sent mail again writes no second activity', async () => {
			const first = await store.activities.recordOutgoing(ack());
			const again = await store.activities.recordOutgoing(ack());
			expect(again.id).toBe(first.id);
			expect(
				(await store.activities.listForCase(caseId)).filter((a) => a.kind === 'outgoing_mail'),
			).toHaveLength(1);
		});

		test('the claim named in the record is marked done in the same transaction, and stays held when the record fails', async () => {
			expect(await store.sendClaims.claim('ack:request-1', 5 * MINUTE)).toEqual({
				state: 'claimed',
			});
			await store.activities.recordOutgoing(ack({ claimKey: 'ack:request-1' }));
			expect(await store.sendClaims.claim('ack:request-1', 5 * MINUTE)).toEqual({
				state: 'done',
				at: expect.any(Date),
				messageId: 'ack-1@mail-cases.example',
			});

			expect(await store.sendClaims.claim('ack:request-2', 5 * MINUTE)).toEqual({
				state: 'claimed',
			});
			await expect(
				store.activities.recordOutgoing(ack({ caseId: 999_999, claimKey: 'ack:request-2' })),
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			expect(await store.sendClaims.claim('ack:request-2', 5 * MINUTE)).toMatchObject({
				state: 'held',
			});
		});

		test('a Message-ID of another case is a CONFLICT that names it', async () => {
			const other = await store.cases.create({
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
			});
			await store.activities.recordOutgoing(ack());
			await expect(
				store.activities.recordOutgoing(ack({ caseId: other.id })),
			).rejects.toMatchObject({
				code: 'CONFLICT',
				message: expect.stringContaining('ack-1@mail-cases.example'),
			});
			expect(await store.activities.listForCase(other.id)).toHaveLength(0);
		});

		test.each([
			[
				{ purpose: 'reminder' },
				/purpose must be one of acknowledgement, notification, forward, mail/,
			],
			[{ outcome: 'bounced' }, /outcome must be one of sent, rejected, failed/],
			[{ messageId: '' }, /needs the Message-ID it was sent with/],
			[{ messageId: '<>' }, /needs the Message-ID it was sent with/],
			[{ from: '' }, /from must be the sender address/],
			[{ to: 'schulz@customer.example' }, /to must be a list of addresses/],
			[{ cc: [42] }, /cc must be a list of addresses/],
			[{ subject: undefined }, /subject must be text/],
			[{ detail: 550 }, /detail must be text or null/],
			[{ at: new Date('nonsense') }, /at must be a valid Date/],
			[{ claimKey: '' }, /send claim needs a key of 1 to 512 characters/],
			[{ claimKey: 'k'.repeat(513) }, /send claim needs a key of 1 to 512 characters .*got 513/],
			[{ caseId: 'x' }, /caseId must be a case id/],
		])('an invalid record is refused: %#', async (overrides, message) => {
			await expect(
				store.activities.recordOutgoing(ack(overrides as Partial<OutgoingMailRecord>)),
			).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
			expect(await store.activities.listForCase(caseId)).toHaveLength(1);
		});
	});

	describe('recordDeliveryFailure (#14.1)', () => {
		const bounce = (overrides: Record<string, unknown> = {}) => ({
			messageKey: 'mid:bounce-1@mx.customer.example',
			bouncedMessageId: '<ack-1@mail-cases.example>',
			mail: {
				messageId: 'bounce-1@mx.customer.example',
				from: 'MAILER-DAEMON@mx.customer.example',
				to: ['service@firma.example'],
				subject: 'Undelivered Mail Returned to Sender',
				text: '<schulz@customer.example>: 550 5.1.1 user unknown',
			},
			detail: 'acknowledgement to schulz@customer.example bounced: 550 5.1.1 user unknown',
			...overrides,
		});

		test('a bounce of our mail lands on its case; our mail becomes bounced', async () => {
			const sent = await store.activities.recordOutgoing(ack());
			const result = await store.ledger.recordDeliveryFailure(bounce());
			expect(result.replayed).toBe(false);
			expect(result.case?.id).toBe(caseId);
			expect(result.activity).toMatchObject({
				caseId,
				kind: 'incoming_mail',
				messageId: 'bounce-1@mx.customer.example',
				from: 'MAILER-DAEMON@mx.customer.example',
				outcome: 'delivery_failure',
				outcomeDetail: 'acknowledgement to schulz@customer.example bounced: 550 5.1.1 user unknown',
				purpose: null,
			});
			expect(result.outgoing).toMatchObject({
				id: sent.id,
				purpose: 'acknowledgement',
				outcome: 'bounced',
				outcomeDetail: 'acknowledgement to schulz@customer.example bounced: 550 5.1.1 user unknown',
			});
			const history = await store.activities.listForCase(caseId);
			expect(history.map((a) => [a.kind, a.outcome])).toEqual([
				['incoming_mail', null],
				['outgoing_mail', 'bounced'],
				['incoming_mail', 'delivery_failure'],
			]);
			expect(await store.ledger.lookup('mid:bounce-1@mx.customer.example')).toMatchObject({
				outcome: 'activity_added',
				caseId,
				activityId: result.activity!.id,
			});
		});

		test('the same bounce again is a replay: nothing written, the earlier result', async () => {
			await store.activities.recordOutgoing(ack());
			const first = await store.ledger.recordDeliveryFailure(bounce({ contentDigest: DIGEST_A }));
			const again = await store.ledger.recordDeliveryFailure(bounce({ contentDigest: DIGEST_A }));
			expect(again.replayed).toBe(true);
			expect(again.case?.id).toBe(caseId);
			expect(again.activity?.id).toBe(first.activity!.id);
			expect(again.outgoing).toMatchObject({ outcome: 'bounced' });
			expect(await store.activities.listForCase(caseId)).toHaveLength(3);
		});

		test('another mail under the bounce key (other content digest) is stored as a new mail (#13.2)', async () => {
			await store.activities.recordOutgoing(ack());
			await store.ledger.recordDeliveryFailure(bounce({ contentDigest: DIGEST_A }));
			const other = await store.ledger.recordDeliveryFailure(
				bounce({ contentDigest: DIGEST_B, detail: 'acknowledgement bounced again' }),
			);
			expect(other.replayed).toBe(false);
			expect(other.activity).toMatchObject({
				outcome: 'delivery_failure',
				outcomeDetail: 'acknowledgement bounced again',
			});
			const history = await store.activities.listForCase(caseId);
			// the second bounce and the note that its Message-ID was used by another mail
			expect(history.map((a) => [a.kind, a.outcome])).toEqual([
				['incoming_mail', null],
				['outgoing_mail', 'bounced'],
				['incoming_mail', 'delivery_failure'],
				['incoming_mail', 'delivery_failure'],
				['note', null],
			]);
		});

		test('an unknown Message-ID writes nothing', async () => {
			const result = await store.ledger.recordDeliveryFailure(
				bounce({ bouncedMessageId: '<never-sent@mail-cases.example>' }),
			);
			expect(result).toEqual({
				replayed: false,
				case: undefined,
				activity: undefined,
				outgoing: undefined,
			});
			expect(await store.ledger.lookup('mid:bounce-1@mx.customer.example')).toBeUndefined();
			expect(await store.activities.listForCase(caseId)).toHaveLength(1);
		});

		test('a failed attempt keeps its outcome; the sent mail of the same Message-ID is bounced', async () => {
			const failed = await store.activities.recordOutgoing(
				ack({ outcome: 'failed', detail: '451 4.3.0 try again later' }),
			);
			const sent = await store.activities.recordOutgoing(ack());
			const result = await store.ledger.recordDeliveryFailure(bounce());
			expect(result.outgoing?.id).toBe(sent.id);
			expect((await store.activities.get(failed.id))!.outcome).toBe('failed');
			expect((await store.activities.get(sent.id))!.outcome).toBe('bounced');
		});

		test('a bounce of a Message-ID linked without an outcome (older records) is recorded too', async () => {
			await store.cases.recordOutgoingMessageId(caseId, '<ack-1@mail-cases.example>');
			const result = await store.ledger.recordDeliveryFailure(bounce());
			expect(result.case?.id).toBe(caseId);
			expect(result.outgoing).toBeUndefined();
			expect(result.activity?.outcome).toBe('delivery_failure');
		});

		test.each([
			[{ messageKey: 'bounce-1' }, /Ledger key/],
			[{ bouncedMessageId: '' }, /Message-ID of the bounced mail is missing/],
			[{ detail: ' ' }, /detail must say what failed/],
			[{ mail: undefined }, /the bounce mail is missing/],
			[{ contentDigest: 'xyz' }, /Content digest/],
		])('invalid input %j is refused: %s', async (overrides, message) => {
			await store.activities.recordOutgoing(ack());
			await expect(
				store.ledger.recordDeliveryFailure(bounce(overrides) as never),
			).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
		});
	});

	describe('Field-line feedback (#14.1)', () => {
		test('a note with outcome field_feedback is written with the mail, once', async () => {
			const input = {
				messageKey: 'mid:reply-1@customer.example',
				caseId,
				mail: { messageId: 'reply-1@customer.example', from: 'schulz@customer.example' },
				fieldUpdates: { Name: 'Schulz' },
				fieldFeedback: {
					text: 'Field lines of this mail that changed nothing:\n- Farbe: no field',
				},
			};
			const first = await store.ledger.addMailToCase(input);
			expect(first.fieldFeedback).toMatchObject({
				kind: 'note',
				from: 'Mail Cases',
				outcome: 'field_feedback',
				text: 'Field lines of this mail that changed nothing:\n- Farbe: no field',
			});
			const again = await store.ledger.addMailToCase(input);
			expect(again.replayed).toBe(true);
			expect(again.fieldFeedback).toBeUndefined();
			const history = await store.activities.listForCase(caseId);
			expect(history.map((a) => [a.kind, a.outcome])).toEqual([
				['incoming_mail', null],
				['incoming_mail', null],
				['field_change', null],
				['note', 'field_feedback'],
			]);

			const created = await store.ledger.createCaseFromMail({
				messageKey: 'mid:request-2@customer.example',
				workflowId: fx.workflow.id,
				responsibleOrgUnitId: fx.support.id,
				mail: { messageId: 'request-2@customer.example', from: 'k@customer.example' },
				fieldFeedback: { author: 'Intake', text: '- Farbe: no field' },
			});
			expect(created.fieldFeedback).toMatchObject({
				from: 'Intake',
				outcome: 'field_feedback',
				caseId: created.case!.id,
			});
		});
	});

	describe('send claims (#15.2)', () => {
		test('claimed, held by the holder until its lease ends, done after finish', async () => {
			expect(await store.sendClaims.claim('ack:1', 5 * MINUTE)).toEqual({ state: 'claimed' });
			const held = await store.sendClaims.claim('ack:1', 5 * MINUTE);
			expect(held.state).toBe('held');
			const until = (held as { until: Date }).until.getTime();
			expect(until).toBeGreaterThan(clock.peek().getTime() + 4 * MINUTE);
			expect(until).toBeLessThanOrEqual(clock.peek().getTime() + 5 * MINUTE);

			await store.sendClaims.finish('ack:1', 'ack-1@mail-cases.example');
			const done = await store.sendClaims.claim('ack:1', 5 * MINUTE);
			expect(done).toEqual({
				state: 'done',
				at: expect.any(Date),
				messageId: 'ack-1@mail-cases.example',
			});
			// a later finish does not change the first one
			await store.sendClaims.finish('ack:1', 'other@mail-cases.example');
			expect(await store.sendClaims.claim('ack:1', 5 * MINUTE)).toEqual(done);
			// a release does not undo a done claim
			await store.sendClaims.release('ack:1');
			expect(await store.sendClaims.claim('ack:1', 5 * MINUTE)).toEqual(done);
		});

		test('an expired lease is taken over (a run that crashed while sending)', async () => {
			expect(await store.sendClaims.claim('ack:2', 5 * MINUTE)).toEqual({ state: 'claimed' });
			clock.advance(4 * MINUTE);
			expect((await store.sendClaims.claim('ack:2', 5 * MINUTE)).state).toBe('held');
			clock.advance(2 * MINUTE);
			expect(await store.sendClaims.claim('ack:2', 5 * MINUTE)).toEqual({ state: 'claimed' });
			// the new holder has a new lease
			clock.advance(2 * MINUTE);
			expect((await store.sendClaims.claim('ack:2', 5 * MINUTE)).state).toBe('held');
		});

		test('a released claim may be taken again at once; releasing nothing is fine', async () => {
			expect(await store.sendClaims.claim('notify:1', 5 * MINUTE)).toEqual({ state: 'claimed' });
			await store.sendClaims.release('notify:1');
			expect(await store.sendClaims.claim('notify:1', 5 * MINUTE)).toEqual({ state: 'claimed' });
			await store.sendClaims.release('never-claimed');
			expect(await store.sendClaims.claim('never-claimed', 5 * MINUTE)).toEqual({
				state: 'claimed',
			});
		});

		test('finish without a claim records the send as done', async () => {
			await store.sendClaims.finish('fwd:1', null);
			expect(await store.sendClaims.claim('fwd:1', 5 * MINUTE)).toEqual({
				state: 'done',
				at: expect.any(Date),
				messageId: null,
			});
		});

		test('claims taken more than 30 days ago are removed', async () => {
			expect(await store.sendClaims.claim('old', 5 * MINUTE)).toEqual({ state: 'claimed' });
			await store.sendClaims.finish('old', 'old@mail-cases.example');
			clock.advance(29 * DAY);
			expect((await store.sendClaims.claim('old', 5 * MINUTE)).state).toBe('done');
			clock.advance(2 * DAY);
			// the first claim after the retention removes it
			expect(await store.sendClaims.claim('new', 5 * MINUTE)).toEqual({ state: 'claimed' });
			expect(await store.sendClaims.claim('old', 5 * MINUTE)).toEqual({ state: 'claimed' });
		});

		test('many concurrent claims of the same keys in one process: one claimed per key', async () => {
			const keys = Array.from({ length: 20 }, (_, i) => `race:${i}`);
			const other = await site.open({ now: clock.now });
			const results = await Promise.all(
				[store, other, store, other].flatMap((s) =>
					keys.map(async (key) => ({ key, claim: await s.sendClaims.claim(key, 5 * MINUTE) })),
				),
			);
			for (const key of keys) {
				const states = results.filter((r) => r.key === key).map((r) => r.claim.state);
				expect(states.sort()).toEqual(['claimed', 'held', 'held', 'held']);
			}
		});

		test.each([
			['an empty key', '', 60_000, /key of 1 to 512 characters/],
			['a key of 513 characters', 'k'.repeat(513), 60_000, /1 to 512 characters .*got 513/],
			['a key that is no text', 42, 60_000, /key of 1 to 512 characters/],
			['a lease under a second', 'k', 999, /between 1000 \(1 second\) and 86400000/],
			['a lease of a fraction', 'k', 1000.5, /lease must be a whole number/],
			['a lease over a day', 'k', 2 * DAY, /lease must be a whole number/],
		])('a claim with %s is refused', async (_label, key, lease, message) => {
			await expect(store.sendClaims.claim(key as string, lease as number)).rejects.toMatchObject({
				code: 'INVALID_INPUT',
				message: expect.stringMatching(message as RegExp),
			});
		});

		test('finish and release check the key', async () => {
			await expect(store.sendClaims.finish('', 'x@y')).rejects.toMatchObject({
				code: 'INVALID_INPUT',
			});
			await expect(store.sendClaims.release('k'.repeat(600))).rejects.toMatchObject({
				code: 'INVALID_INPUT',
			});
		});
	});
}
