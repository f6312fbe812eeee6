/**
 * R-PLUS-2 / R-PLUS-4, #14.1, #14.2, #15.2: the one send protocol (earlier record → claim →
 * prepare → send → record) against in-memory claims and records (fake-send-store.ts) and a
 * sender that sends nothing: claimed, done, held → done, held → expired and taken over, held for
 * too long; permanent vs temporary failures; partial acceptance; a record that fails.
 */
import {
	recordedInLedger,
	recordedOnCase,
	sendOnce,
	SEND_CLAIM_LEASE_MS,
	type SendOnceInput,
} from '../../../../lib/cases/use-cases/send-once';
import { MailCasesError } from '../../../../lib/errors';
import { buildOutgoingMessage } from '../../../../lib/mail/outgoing-message';
import type { SentMail } from '../../../../lib/protocols/mail-sender';
import { smtpError } from '../../../../lib/protocols/smtp/smtp-errors';
import { FakeClock, FakeSendStore, storeDown } from './fake-send-store';
import { mailCasesError } from './fixtures';
import { recordingSender, refused, type RecordingSender } from './recording-sender';

const theCase = { id: 7, number: '2026-000007' };
const ONCE_ID = '<mail-cases.send.0123@firma.example>';
const KEY = `mid:${ONCE_ID}`;

let clock: FakeClock;
let store: FakeSendStore;
let sender: RecordingSender;
let prepared: number;

beforeEach(() => {
	clock = new FakeClock();
	store = new FakeSendStore(clock);
	sender = recordingSender();
	prepared = 0;
});

const message = (messageId = ONCE_ID, to = 'kunde@kunde.example') =>
	buildOutgoingMessage({
		from: { address: 'system@firma.example' },
		to,
		subject: 'Ihre Anfrage [#2026-000007]',
		text: 'Wir haben den Vorgang angelegt.',
		messageId,
	});

const onCase = (onceId: string | null = ONCE_ID) =>
	recordedOnCase({
		cases: store.cases,
		activities: store.activities,
		theCase,
		purpose: 'acknowledgement',
		onceId: onceId ?? undefined,
	});

function send(input: Partial<SendOnceInput<string>> = {}, messageId = ONCE_ID) {
	return sendOnce<string>(
		{ sender, claims: store.sendClaims, clock },
		{
			record: onCase(),
			what: 'The acknowledgement',
			prepare: async () => {
				prepared++;
				return message(messageId);
			},
			...input,
		},
	);
}

const smtp = {
	host: 'mail.firma.example',
	protocol: 'smtp' as const,
	port: 25,
	fromAddress: 'system@firma.example',
};
/** What SmtpSender throws when the server refuses the only recipient at RCPT TO. */
const rcptRefused = (code: number, text: string) => {
	const response = `${code} ${text}`;
	return smtpError(
		{
			code: 'EENVELOPE',
			command: 'RCPT TO',
			responseCode: code,
			response,
			rejected: ['kunde@kunde.example'],
			rejectedErrors: [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: code, response }],
		},
		smtp,
	);
};
const USER_UNKNOWN = '5.1.1 <kunde@kunde.example>: Recipient address rejected: User unknown';

describe('#15.2 claims', () => {
	test('claimed: sent once, recorded as an outgoing activity with the claim done in the same step', async () => {
		const result = await send();
		expect(result).toMatchObject({ kind: 'sent', messageId: ONCE_ID });
		expect(store.outgoing).toEqual([
			{
				caseId: 7,
				purpose: 'acknowledgement',
				messageId: ONCE_ID,
				from: 'system@firma.example',
				to: ['kunde@kunde.example'],
				cc: [],
				subject: 'Ihre Anfrage [#2026-000007]',
				text: 'Wir haben den Vorgang angelegt.',
				outcome: 'sent',
				detail: null,
				claimKey: KEY,
			},
		]);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'done', messageId: ONCE_ID });
		expect(store.calls).toEqual([`claim ${KEY}`, 'record sent']);
	});

	test('sent before (the earlier record): already sent, no claim, nothing prepared', async () => {
		await send();
		store.calls = [];
		expect(await send()).toEqual({ kind: 'alreadySent' });
		expect(store.calls).toEqual([]);
		expect(prepared).toBe(1);
		expect(sender.sent).toHaveLength(1);
	});

	test('a store from before send claims: a linked Message-ID counts as sent', async () => {
		store.linkedBefore.add(ONCE_ID);
		expect(await send()).toEqual({ kind: 'alreadySent' });
		expect(store.calls).toEqual([]);
		expect(sender.sent).toHaveLength(0);
	});

	test('a claim that is done (the record not visible yet): already sent, with its Message-ID', async () => {
		store.finishedByOther(KEY, ONCE_ID);
		expect(await send()).toMatchObject({ kind: 'alreadySent', messageId: ONCE_ID });
		expect(prepared).toBe(0);
		expect(sender.sent).toHaveLength(0);
	});

	test('held → done: this run waits for the other one and sends nothing', async () => {
		store.heldByOther(KEY, clock.ms + SEND_CLAIM_LEASE_MS);
		clock.onSleep = (c) => {
			if (c.sleeps === 3) store.finishedByOther(KEY, ONCE_ID);
		};
		expect(await send()).toMatchObject({ kind: 'alreadySent', messageId: ONCE_ID });
		expect(clock.sleeps).toBe(3);
		expect(prepared).toBe(0);
		expect(sender.sent).toHaveLength(0);
	});

	test('held → the lease ran out (the other run crashed): taken over and sent with the same Message-ID', async () => {
		const start = clock.ms;
		store.heldByOther(KEY, start + 5_000);
		const result = await send();
		expect(result).toMatchObject({ kind: 'sent', messageId: ONCE_ID });
		expect(sender.sent.map((m) => m.messageId)).toEqual([ONCE_ID]);
		// it waited no longer than the lease, and asked again soon after it ended
		expect(clock.ms).toBeGreaterThanOrEqual(start + 5_000);
		expect(clock.ms).toBeLessThan(start + 5_000 + 1_100);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'done' });
	});

	test('held → taken over, but the crashed run had recorded the mail after all: not sent again', async () => {
		store.heldByOther(KEY, clock.ms + 1_000);
		clock.onSleep = () => {
			store.linkedBefore.add(ONCE_ID);
		}; // found only after the claim
		// the first look finds nothing (added only while waiting)
		expect(await send()).toEqual({ kind: 'alreadySent' });
		expect(sender.sent).toHaveLength(0);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'done' });
	});

	test('held for longer than the lease (the claim keeps being renewed): a temporary error, nothing sent', async () => {
		clock.onSleep = (c) => store.heldByOther(KEY, c.ms + 1_000);
		store.heldByOther(KEY, clock.ms + 1_000);
		const error = await mailCasesError(send());
		expect(error.code).toBe('CONFLICT');
		expect(error.message).toMatch(
			/^The acknowledgement is being sent by another run, which still holds its send claim .*this run waited 130 s and fails without sending, so the mail is tried again later/,
		);
		expect(sender.sent).toHaveLength(0);
	});

	test('many concurrent senders of the same key: exactly one mail', async () => {
		clock.onSleep = async () => {
			await new Promise((r) => setImmediate(r));
		};
		const results = await Promise.all(Array.from({ length: 20 }, () => send()));
		expect(sender.sent).toHaveLength(1);
		expect(results.filter((r) => r.kind === 'sent')).toHaveLength(1);
		expect(results.filter((r) => r.kind === 'alreadySent')).toHaveLength(19);
		expect(store.outgoing).toHaveLength(1);
	});

	test('without a once id (a random Message-ID): recorded too, without a claim', async () => {
		const result = await send({ record: onCase(null) }, '<random-1@firma.example>');
		expect(result.kind).toBe('sent');
		expect(store.outgoing).toMatchObject([
			{ messageId: '<random-1@firma.example>', outcome: 'sent' },
		]);
		expect(store.outgoing[0]).not.toHaveProperty('claimKey');
		expect(store.calls).toEqual(['record sent']);
	});

	test('prepare skips the mail: the claim is released, nothing recorded', async () => {
		const result = await send({ prepare: async () => ({ skip: 'rate-limited' }) });
		expect(result).toEqual({ kind: 'skipped', skip: 'rate-limited' });
		expect(store.claimRows.has(KEY)).toBe(false);
		expect(store.outgoing).toHaveLength(0);
	});

	test('a claim key without claims is a programming error', async () => {
		const error = await mailCasesError(
			sendOnce({ sender }, { record: onCase(), prepare: async () => message() }),
		);
		expect(error.code).toBe('INTERNAL');
	});
});

describe('#14.2 permanent rejection', () => {
	beforeEach(() => {
		sender.failNext = rcptRefused(550, USER_UNKNOWN);
	});

	test('Record and Continue: recorded as rejected with the reply, the claim done, the result rejected', async () => {
		const result = await send({ onPermanentRejection: 'recordAndContinue' });
		expect(result).toMatchObject({
			kind: 'rejected',
			messageId: ONCE_ID,
			failure: {
				permanent: true,
				by: 'SMTP server mail.firma.example:25',
				reply: `550 ${USER_UNKNOWN}`,
				recipients: ['kunde@kunde.example'],
			},
		});
		expect(store.outgoing).toMatchObject([
			{
				outcome: 'rejected',
				purpose: 'acknowledgement',
				detail: `Rejected by SMTP server mail.firma.example:25: 550 ${USER_UNKNOWN}`,
				claimKey: KEY,
			},
		]);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'done' });
		// a replay does not try again
		expect(await send()).toEqual({ kind: 'alreadySent' });
		expect(prepared).toBe(1);
	});

	test('Fail (the default): recorded, the claim done, then an error that says who, where and what to change', async () => {
		const error = await mailCasesError(send());
		expect(error.code).toBe('RECIPIENT_REJECTED');
		expect(error.message).toBe(
			`The acknowledgement to kunde@kunde.example (subject "Ihre Anfrage [#2026-000007]", Message-ID ${ONCE_ID}) was rejected permanently by SMTP server mail.firma.example:25, which refused the recipient: 550 ${USER_UNKNOWN}. It is recorded as rejected on case 2026-000007 and is not sent again for this mail. Correct the address (or where it comes from), or set "On Permanent Rejection" to "Record and Continue" so that a rejected mail is recorded without failing the run.`,
		);
		expect(store.outgoing).toMatchObject([{ outcome: 'rejected' }]);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'done' });
	});

	test('the rejection cannot be recorded: the claim is released and the run fails (the mail is tried again)', async () => {
		store.failRecord = storeDown();
		const error = await mailCasesError(send({ onPermanentRejection: 'recordAndContinue' }));
		expect(error.code).toBe('STORE_UNAVAILABLE');
		expect(error.message).toMatch(
			/was rejected permanently by SMTP server mail\.firma\.example:25 \(550 .*\), and recording the rejection on case 2026-000007 failed: The case store is not reachable/,
		);
		expect(store.claimRows.has(KEY)).toBe(false);
	});

	test('no case (Send Mail without Record on Case): Record and Continue returns the rejection, Fail throws', async () => {
		const noRecord = (policy: 'recordAndContinue' | 'fail') =>
			sendOnce({ sender }, { prepare: async () => message(), onPermanentRejection: policy });
		expect(await noRecord('recordAndContinue')).toMatchObject({ kind: 'rejected' });
		sender.failNext = rcptRefused(550, USER_UNKNOWN);
		const error = await mailCasesError(noRecord('fail'));
		expect(error.message).toMatch(/was rejected permanently by SMTP server .*Correct the address/);
		expect(error.message).not.toMatch(/recorded|Record and Continue/);
	});

	test('a Forward (ledger, no case): the claim is released and the run fails, so the mail is not disposed of unforwarded', async () => {
		const ledger = {
			lookup: jest.fn(async () => undefined),
			recordOutcome: jest.fn(async () => undefined),
		};
		const record = recordedInLedger(ledger as never, store.sendClaims, 'sha256:ab', 'fwd');
		const error = await mailCasesError(
			sendOnce(
				{ sender, claims: store.sendClaims, clock },
				{ record, prepare: async () => message(), what: 'The forward' },
			),
		);
		expect(error.message).toMatch(/^The forward to kunde@kunde.example .*rejected permanently/);
		expect(ledger.recordOutcome).not.toHaveBeenCalled();
		expect(store.claimRows.has('forward:sha256:ab')).toBe(false);
	});
});

describe('#14.2 temporary failures', () => {
	test.each([
		['451 (greylisting)', () => rcptRefused(451, '4.7.1 <kunde@kunde.example>: try again later')],
		['a refused connection', refused],
	])(
		'%s: recorded as failed, the claim released, the error rethrown; a retry sends',
		async (_name, make) => {
			const failure = make();
			sender.failNext = failure;
			await expect(send()).rejects.toBe(failure);
			expect(store.outgoing).toMatchObject([{ outcome: 'failed', messageId: ONCE_ID }]);
			expect(store.outgoing[0]).not.toHaveProperty('claimKey');
			expect(store.outgoing[0].detail).toContain(failure.message);
			expect(store.claimRows.has(KEY)).toBe(false);
			// a failed attempt is no earlier send
			expect(await send()).toMatchObject({ kind: 'sent', messageId: ONCE_ID });
			expect(sender.sent).toHaveLength(1);
		},
	);

	test('recording the failure fails too: the send error is what the run reports', async () => {
		const failure = refused();
		sender.failNext = failure;
		store.failRecord = storeDown();
		await expect(send()).rejects.toBe(failure);
		expect(store.claimRows.has(KEY)).toBe(false);
	});
});

describe('#14.1 sent', () => {
	test('partial acceptance is sent, the refused recipients in the detail', async () => {
		const partial: SentMail = {
			messageId: ONCE_ID,
			accepted: ['agent@firma.example'],
			rejected: ['weg@firma.example'],
			response: '250 2.0.0 Ok',
		};
		const result = await sendOnce(
			{ sender: { send: async () => partial }, claims: store.sendClaims, clock },
			{ record: onCase(), prepare: async () => message() },
		);
		expect(result).toMatchObject({ kind: 'sent', sent: partial });
		expect(store.outgoing).toMatchObject([
			{
				outcome: 'sent',
				detail:
					'The server accepted the mail for agent@firma.example and refused weg@firma.example',
			},
		]);
	});

	test('the record fails after sending: the error says the mail went out; the claim stays held (a replay after the lease sends once more, same id)', async () => {
		store.failRecord = storeDown();
		const error = await mailCasesError(send());
		expect(error.message).toMatch(
			new RegExp(
				`^The mail ${ONCE_ID} was sent, but recording it on case 2026-000007 failed: The case store is not reachable`,
			),
		);
		expect(store.claimRows.get(KEY)).toMatchObject({ state: 'sending' });
		const replay = await send();
		expect(replay).toMatchObject({ kind: 'sent', messageId: ONCE_ID });
		expect(sender.sent.map((m) => m.messageId)).toEqual([ONCE_ID, ONCE_ID]);
	});

	test('a Forward: ledger entry, then the claim finished with the sent Message-ID', async () => {
		const ledger = {
			lookup: jest.fn(async () => undefined),
			recordOutcome: jest.fn(async () => undefined),
		};
		const record = recordedInLedger(ledger as never, store.sendClaims, 'sha256:cd', 'x forwarded');
		const result = await sendOnce(
			{ sender, claims: store.sendClaims, clock },
			{ record, prepare: async () => message('<fwd-1@firma.example>') },
		);
		expect(result.kind).toBe('sent');
		expect(ledger.recordOutcome).toHaveBeenCalledWith({
			messageKey: 'sha256:cd',
			outcome: 'forwarded',
			detail: 'x forwarded',
		});
		expect(store.claimRows.get('forward:sha256:cd')).toMatchObject({
			state: 'done',
			messageId: '<fwd-1@firma.example>',
		});
	});
});

test('an unexpected error is no MailCasesError of ours: rethrown as it is', async () => {
	const odd = new Error('odd');
	sender.failNext = odd as MailCasesError;
	await expect(send()).rejects.toBe(odd);
});
