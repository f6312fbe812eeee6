import { openStore, type Store } from '../../../../lib/store';
import { checkReplyOptions, replyGate } from '../../../../lib/cases/use-cases/reply-gate';
import { sqliteTestStore, type TestStore } from '../../../support/test-stores';

describe('#11.6 Send Mail "Reply to Incoming Mail": settings', () => {
	test.each([
		[{ replyToIncoming: true }],
		[{ replyToIncoming: true, limitPerRecipient: 0 }],
		[{ replyToIncoming: true, limitPerRecipient: 3, limitPeriodMinutes: 10080 }],
		[{}],
		[{ replyToIncoming: false, cc: 'copy@example.test' }],
	])('accepted: %j', (options) => {
		expect(() => checkReplyOptions(options)).not.toThrow();
	});

	test.each([
		[{ replyToIncoming: true, cc: '' }, /remove the option "CC"/],
		[{ replyToIncoming: true, bcc: 'archive@example.test' }, /remove the option "BCC"/],
		[{ limitPerRecipient: 10 }, /"Limit per Recipient" needs "Reply to Incoming Mail"/],
		[{ replyToIncoming: false, limitPeriodMinutes: 60 }, /"Limit Period \(Minutes\)" needs/],
		[{ replyToIncoming: true, limitPerRecipient: -1 }, /whole number of 0 or more/],
		[{ replyToIncoming: true, limitPerRecipient: 2.5 }, /whole number of 0 or more/],
		[{ replyToIncoming: true, limitPeriodMinutes: 0 }, /from 1 to 10080/],
		[{ replyToIncoming: true, limitPeriodMinutes: 10081 }, /from 1 to 10080/],
	])('refused (an error of the workflow, not of the mail): %j', (options, message) => {
		expect(() => checkReplyOptions(options)).toThrow(message);
	});
});

describe('#11.6 Send Mail "Reply to Incoming Mail": recipient and limit (real SQLite store)', () => {
	let site: TestStore;
	let store: Store;
	let opened = 0;
	const storeFn = async () => {
		opened++;
		return store;
	};

	beforeEach(async () => {
		site = sqliteTestStore('mc-reply-gate');
		store = await openStore(site.config);
		opened = 0;
	});
	afterEach(async () => {
		await store.close();
		await site.drop();
	});

	test('a list or no address is skipped without touching the store', async () => {
		expect(
			await replyGate('<a@x.example,b@y.example>', { replyToIncoming: true }, storeFn),
		).toMatchObject({
			ok: false,
			skipped: 'invalid-recipient',
		});
		expect(await replyGate('', { replyToIncoming: true }, storeFn)).toMatchObject({
			ok: false,
			skipped: 'no-recipient',
		});
		expect(opened).toBe(0);
	});

	test('default 10 per 60 minutes, counted per mailbox whatever its spelling', async () => {
		const spellings = ['Kunde@Example.test', 'kunde@example.test', ' KUNDE@EXAMPLE.TEST '];
		const results = [];
		for (let i = 0; i < 11; i++) {
			results.push(await replyGate(spellings[i % 3], { replyToIncoming: true }, storeFn));
		}
		expect(results.slice(0, 10).every((r) => r.ok)).toBe(true);
		expect(results[9]).toMatchObject({
			ok: true,
			limit: { count: 10, limit: 10, periodMinutes: 60 },
		});
		expect(results[10]).toMatchObject({
			ok: false,
			skipped: 'rate-limited',
			limit: { count: 10, limit: 10, periodMinutes: 60 },
		});
		// another recipient is not affected
		expect(await replyGate('other@example.test', { replyToIncoming: true }, storeFn)).toMatchObject(
			{ ok: true },
		);
	});

	test('Limit per Recipient 0 counts nothing and opens no store', async () => {
		for (let i = 0; i < 12; i++) {
			expect(
				await replyGate(
					'kunde@example.test',
					{ replyToIncoming: true, limitPerRecipient: 0 },
					storeFn,
				),
			).toMatchObject({ ok: true, recipient: { address: 'kunde@example.test' } });
		}
		expect(opened).toBe(0);
	});
});
