/**
 * R-PROC-6a Forward without a mail server: the forward's headers, the refusal of our own
 * addresses, Forward Once through the ledger (R-PLUS-2).
 */
import { forwardMail, type ForwardMailInput } from '../../../../lib/cases/use-cases/forward-mail';
import { LOOP_HEADER } from '../../../../lib/mail/loop-header';
import { mail, mailCasesError, openFixture, type Fixture } from './fixtures';
import { rcptRefused, recordingSender, refused, type RecordingSender } from './recording-sender';

let fx: Fixture;
let sender: RecordingSender;
let opened: number;
let reads: number;
const now = new Date('2026-03-01T10:00:00Z');
const forward = (
	input: Partial<ForwardMailInput> = {},
	incoming = mail({ subject: 'Frage', text: 'Hallo' }),
) =>
	forwardMail(
		{
			sender,
			systemId: 'instance-1',
			now: () => now,
			store: async () => {
				opened++;
				return fx.store;
			},
		},
		{
			forwardTo: 'extern@partner.example',
			mode: 'inline',
			mail: async () => {
				reads++;
				return incoming;
			},
			...input,
		},
	);

beforeEach(async () => {
	fx = await openFixture();
	sender = recordingSender();
	opened = 0;
	reads = 0;
});
afterEach(async () => fx.close());

describe('R-PROC-6a the forward', () => {
	test('Fwd subject, loop header, Resent-* fields with the clock', async () => {
		const result = await forward();
		expect(result).toMatchObject({
			kind: 'forwarded',
			to: ['extern@partner.example'],
			subject: 'Fwd: Frage',
			accepted: ['extern@partner.example'],
			from: 'system@firma.example',
		});
		const sent = sender.sent[0];
		expect(sent.headers).toMatchObject({
			[LOOP_HEADER]: expect.any(String),
			'Resent-From': 'system@firma.example',
			'Resent-To': 'extern@partner.example',
			'Resent-Message-ID': sent.messageId,
		});
		expect(sent.headers['Resent-Date']).toMatch(/1 Mar 2026 10:00:00/);
	});

	test('Add Loop Header off: no loop header', async () => {
		await forward({ addLoopHeader: false });
		expect(sender.sent[0].headers).not.toHaveProperty(LOOP_HEADER);
	});

	test('as attachment: the original message as message/rfc822', async () => {
		await forward(
			{ mode: 'attachment' },
			mail({ subject: 'Frage', raw: Buffer.from('Subject: Frage\r\n\r\nHallo\r\n') }),
		);
		expect(sender.sent[0].attachments).toMatchObject([{ contentType: 'message/rfc822' }]);
	});
});

describe('refused before the mail is read', () => {
	test.each<[Partial<ForwardMailInput>, string]>([
		[
			{
				received: {
					mailbox: 'IMAPS imap.firma.example:993 as Service@Firma.example, folder INBOX',
				},
				forwardTo: 'service@firma.example',
			},
			'service@firma.example',
		],
		[
			{
				received: { deliveredTo: ['info@firma.example'] },
				forwardTo: 'a@partner.example, INFO@firma.example',
			},
			'INFO@firma.example',
		],
		[{ forwardTo: 'system@firma.example' }, 'system@firma.example'],
		[
			{ ownAddresses: 'alias@firma.example', forwardTo: 'alias@firma.example' },
			'alias@firma.example',
		],
	])('own address %#: LOOP_DETECTED', async (input, named) => {
		const error = await mailCasesError(forward(input));
		expect(error.code).toBe('LOOP_DETECTED');
		expect(error.message).toContain(`Refusing to forward to ${named}`);
		expect(reads).toBe(0);
		expect(sender.sent).toHaveLength(0);
	});

	test('no forwarding address', async () => {
		expect(await mailCasesError(forward({ forwardTo: ' ' }))).toMatchObject({
			code: 'INVALID_INPUT',
		});
	});
});

describe('R-PLUS-2 Forward Once', () => {
	test('the same mail to the same addresses once; to other addresses again', async () => {
		const incoming = mail();
		await forward({}, incoming);
		const again = await forward({ forwardTo: 'EXTERN@partner.example' }, incoming);
		expect(again).toMatchObject({ kind: 'alreadySent', forwardedAt: expect.any(Date) });
		expect(await forward({ forwardTo: 'zweite@partner.example' }, incoming)).toMatchObject({
			kind: 'forwarded',
		});
		expect(sender.sent).toHaveLength(2);
	});

	test('a failed send leaves no record: the retry forwards', async () => {
		const incoming = mail();
		sender.failNext = refused();
		await expect(forward({}, incoming)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
		expect(await forward({}, incoming)).toMatchObject({ kind: 'forwarded' });
	});

	test('off: every run forwards and no store is opened', async () => {
		const incoming = mail();
		await forward({ forwardOnce: false }, incoming);
		await forward({ forwardOnce: false }, incoming);
		expect(sender.sent).toHaveLength(2);
		expect(opened).toBe(0);
	});

	test('a mail without Message-ID and raw hash cannot be forwarded once: INVALID_INPUT', async () => {
		expect(await mailCasesError(forward({}, mail({ messageId: null })))).toMatchObject({
			code: 'INVALID_INPUT',
		});
		expect(sender.sent).toHaveLength(0);
	});
});

describe('#15.2 / #14.2 Forward Once with a claim', () => {
	test('the Message-ID is derived from the mail and the targets (a replay after a crash sends the same); without Forward Once it is new each time', async () => {
		const incoming = mail({ subject: 'Frage' });
		await forward({}, incoming);
		const [first] = sender.sent;
		expect(first.messageId).toMatch(/^<mail-cases\.forward\.[0-9a-f]{32}@firma\.example>$/);
		await forward({ forwardOnce: false }, incoming);
		await forward({ forwardOnce: false }, incoming);
		const [, a, b] = sender.sent.map((m) => m.messageId);
		expect(a).not.toMatch(/mail-cases\.forward/);
		expect(a).not.toBe(b);
	});

	test('a permanent rejection fails the forward and records nothing: the mail is tried again, never disposed of unforwarded', async () => {
		const incoming = mail({ subject: 'Frage' });
		sender.failNext = rcptRefused(550, '5.1.1 <extern@partner.example>: User unknown', [
			'extern@partner.example',
		]);
		const error = await mailCasesError(forward({}, incoming));
		expect(error.message).toMatch(
			/^The forward to extern@partner\.example .* was rejected permanently by SMTP server mail\.firma\.example:25, which refused the recipient: 550 5\.1\.1 .*Correct the address/,
		);
		expect(sender.sent).toHaveLength(0);
		// the next attempt (the address fixed on the server) forwards it
		expect(await forward({}, incoming)).toMatchObject({ kind: 'forwarded' });
		expect(await forward({}, incoming)).toMatchObject({ kind: 'alreadySent' });
		expect(sender.sent).toHaveLength(1);
	});
});
