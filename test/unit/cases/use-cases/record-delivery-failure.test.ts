/**
 * #14.1 recordDeliveryFailure against a fake store (no servers): a bounce item of the trigger
 * becomes the store's DeliveryFailureInput with a detail the user reads; items that are no
 * bounce, delay warnings, bounces without or with an unknown Message-ID record nothing and say why.
 */
import { mailLedgerKey } from '../../../../lib/cases/mail-ledger-key';
import {
	deliveryFailureDetail,
	recordDeliveryFailure,
	type RecordDeliveryFailureDeps,
} from '../../../../lib/cases/use-cases/record-delivery-failure';
import type {
	Activity,
	Case,
	DeliveryFailureInput,
	DeliveryFailureResult,
} from '../../../../lib/store';
import { mail } from './fixtures';

const ACK_ID = '<ack.1@firma.example>';

const kase = { id: 7, number: '2026-000007' } as Case;

function activity(fields: Partial<Activity>): Activity {
	return {
		id: 1,
		caseId: kase.id,
		kind: 'incoming_mail',
		messageId: null,
		from: null,
		to: [],
		cc: [],
		subject: null,
		text: null,
		html: null,
		attachments: [],
		fieldName: null,
		oldValue: null,
		newValue: null,
		changedBy: null,
		purpose: null,
		outcome: null,
		outcomeDetail: null,
		createdAt: new Date(0),
		...fields,
	};
}

const ack = activity({
	id: 2,
	kind: 'outgoing_mail',
	messageId: 'ack.1@firma.example',
	to: ['kunde@kunde.example'],
	purpose: 'acknowledgement',
	outcome: 'sent',
});

/** A store whose ledger records what it is given; `known`: the bounced ids on kase. */
function fakeStore(history: Activity[] = [activity({ id: 1 }), ack], known = [ACK_ID]) {
	const calls: DeliveryFailureInput[] = [];
	const recorded = new Set<string>();
	const store = {
		maxAttachmentBytesPerMail: 1024,
		cases: {
			findCaseByMessageIds: (ids: readonly string[]) =>
				Promise.resolve(ids.some((id) => known.includes(id)) ? kase : undefined),
		},
		activities: {
			listForCase: (caseId: number) =>
				Promise.resolve(caseId === kase.id ? history : ([] as Activity[])),
		},
		ledger: {
			recordDeliveryFailure: (input: DeliveryFailureInput): Promise<DeliveryFailureResult> => {
				calls.push(input);
				if (!known.includes(input.bouncedMessageId))
					return Promise.resolve({
						replayed: false,
						case: undefined,
						activity: undefined,
						outgoing: undefined,
					});
				const replayed = recorded.has(input.messageKey);
				recorded.add(input.messageKey);
				return Promise.resolve({
					replayed,
					case: kase,
					activity: activity({
						id: 9,
						outcome: 'delivery_failure',
						outcomeDetail: input.detail,
					}),
					outgoing: { ...ack, outcome: 'bounced' },
				});
			},
		},
	};
	return { store: store as unknown as RecordDeliveryFailureDeps['store'], calls };
}

const dsn = (bounce: Record<string, unknown> = {}, bouncedMessageId: string | null = ACK_ID) => ({
	class: 'bounce',
	reasons: ['delivery status notification: failed 5.1.1'],
	...(bouncedMessageId ? { bouncedMessageId } : {}),
	bounce: {
		action: 'failed',
		status: '5.1.1',
		recipient: 'kunde@kunde.example',
		diagnostic: '550 5.1.1 <kunde@kunde.example>: Recipient address rejected: User unknown',
		permanent: true,
		...bounce,
	},
});

const bounceMail = () =>
	mail({
		fromAddress: 'MAILER-DAEMON@firma.example',
		subject: 'Undelivered Mail Returned to Sender',
		text: 'This is the mail system at host firma.example.',
	});

describe('#14.1 a bounce of our mail goes onto its case', () => {
	test('the store gets the bounce once under its ledger key, with what our mail was for, to whom and why', async () => {
		const { store, calls } = fakeStore();
		const m = bounceMail();
		const r = await recordDeliveryFailure({ store }, { mail: m, classification: dsn() });
		expect(calls).toHaveLength(1);
		expect(calls[0]).toMatchObject({
			messageKey: mailLedgerKey(m),
			bouncedMessageId: ACK_ID,
			mail: { messageId: m.messageId, subject: 'Undelivered Mail Returned to Sender' },
			detail:
				'acknowledgement to kunde@kunde.example bounced: 550 5.1.1 <kunde@kunde.example>: Recipient address rejected: User unknown',
		});
		expect(r).toMatchObject({
			kind: 'recorded',
			case: { number: kase.number },
			bouncedMessageId: ACK_ID,
			activity: { outcome: 'delivery_failure' },
			outgoing: { purpose: 'acknowledgement', outcome: 'bounced' },
		});
	});

	test('the same bounce again is a replay: the store is asked, nothing is recorded twice', async () => {
		const { store, calls } = fakeStore();
		const m = bounceMail();
		await recordDeliveryFailure({ store }, { mail: m, classification: dsn() });
		const again = await recordDeliveryFailure({ store }, { mail: m, classification: dsn() });
		expect(again.kind).toBe('replayed');
		expect(calls.map((c) => c.messageKey)).toEqual([mailLedgerKey(m), mailLedgerKey(m)]);
	});

	test('a mail whose outgoing activity the history lacks (sent before #14.1) is "mail"; the recipient from the DSN', async () => {
		const { store, calls } = fakeStore([activity({ id: 1 })]);
		await recordDeliveryFailure({ store }, { mail: bounceMail(), classification: dsn() });
		expect(calls[0].detail).toMatch(/^mail to kunde@kunde\.example bounced: 550 5\.1\.1/);
	});

	test('without Final-Recipient the recipients of our mail are named; a status without diagnostic is given', async () => {
		const { store, calls } = fakeStore();
		await recordDeliveryFailure(
			{ store },
			{
				mail: bounceMail(),
				classification: dsn({ recipient: undefined, diagnostic: undefined, status: '5.2.2' }),
			},
		);
		expect(calls[0].detail).toBe('acknowledgement to kunde@kunde.example bounced: status 5.2.2');
	});

	test('an unknown Message-ID: nothing recorded, the result says so (no error)', async () => {
		const { store, calls } = fakeStore([], []);
		const r = await recordDeliveryFailure(
			{ store },
			{ mail: bounceMail(), classification: dsn({}, '<someone-else@other.example>') },
		);
		expect(calls).toHaveLength(1);
		expect(r).toEqual({
			kind: 'not-recorded',
			reason: 'unknown-message-id',
			bouncedMessageId: '<someone-else@other.example>',
			message: expect.stringContaining('no mail we sent on a case'),
		});
	});

	test.each([
		[
			'an auto-reply',
			{ class: 'autoReply', reasons: ['Auto-Submitted: auto-replied'] },
			'not-a-bounce',
		],
		['an abuse report', { class: 'report', bouncedMessageId: ACK_ID }, 'not-a-bounce'],
		['an item without classification', undefined, 'not-a-bounce'],
		['a bounce naming no Message-ID', dsn({}, null), 'no-message-id'],
		[
			'a delay warning',
			dsn({ action: 'delayed', status: '4.4.1', permanent: false }),
			'delay-warning',
		],
	])(
		'%s: nothing recorded, the store not written, the reason given',
		async (_, classification, reason) => {
			const { store, calls } = fakeStore();
			const r = await recordDeliveryFailure({ store }, { mail: bounceMail(), classification });
			expect(r).toMatchObject({ kind: 'not-recorded', reason, message: expect.any(String) });
			expect(calls).toHaveLength(0);
		},
	);
});

test('deliveryFailureDetail: the status is added when the diagnostic lacks it; whitespace folded', () => {
	expect(
		deliveryFailureDetail('notification', {
			recipient: 'a@b.example',
			status: '5.1.1',
			diagnostic: 'unknown user:\n  "nobody"',
		}),
	).toBe('notification to a@b.example bounced: 5.1.1 unknown user: "nobody"');
	expect(deliveryFailureDetail('forward', {}, ['x@y.example', 'z@y.example'])).toBe(
		'forward to x@y.example, z@y.example bounced: the bounce gives no reason',
	);
});
