/**
 * #11.6: the per-recipient send limit (acknowledgements) counted in the case store, on SQLite
 * and PostgreSQL: a sliding window, nothing counted over the limit, several store handles (as
 * several n8n processes) sharing one count, old entries removed.
 */
import { LATEST_SCHEMA_VERSION, type Store } from '../../../lib/store';
import { MAX_SEND_LIMIT_PERIOD_MS } from '../../../lib/store/repositories/send-limits';
import { BACKENDS, StoreSite } from './support/backends';

jest.setTimeout(60_000);

const HOUR = 60 * 60 * 1000;

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 2, 1, 10, 0, 0)) {
	let t = start;
	return {
		now: () => new Date(t),
		advance: (ms: number) => {
			t += ms;
		},
	};
}

describe.each(BACKENDS)('#11.6 send limits on %s', (backend) => {
	let site: StoreSite;
	let store: Store;
	let clock: ReturnType<typeof manualClock>;

	beforeEach(async () => {
		site = new StoreSite(backend);
		clock = manualClock();
		store = await site.open({ now: clock.now });
	});

	afterEach(async () => {
		await site.cleanup();
	});

	test('migration 3 is applied', async () => {
		expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
		expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
	});

	test('10 per hour: the 11th is refused and not counted; each recipient has its own count', async () => {
		const results = [];
		for (let i = 0; i < 11; i++) {
			results.push(await store.sendLimits.reserve('kunde@example.test', 10, HOUR));
			clock.advance(1000);
		}
		expect(results.slice(0, 10).every((r) => r.allowed)).toBe(true);
		expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
		expect(results[10]).toEqual({ allowed: false, count: 10, limit: 10, periodMs: HOUR });
		expect((await store.sendLimits.reserve('kunde@example.test', 10, HOUR)).allowed).toBe(false);
		expect(await store.sendLimits.reserve('other@example.test', 10, HOUR)).toMatchObject({
			allowed: true,
			count: 1,
		});
	});

	test('the window slides: a place frees when the oldest send is an hour old', async () => {
		for (let i = 0; i < 3; i++) {
			expect((await store.sendLimits.reserve('k@example.test', 3, HOUR)).allowed).toBe(true);
			clock.advance(10 * 60 * 1000);
		}
		// 30 minutes after the first: full
		expect((await store.sendLimits.reserve('k@example.test', 3, HOUR)).allowed).toBe(false);
		clock.advance(30 * 60 * 1000 + 1); // the first is now older than an hour
		expect(await store.sendLimits.reserve('k@example.test', 3, HOUR)).toMatchObject({
			allowed: true,
			count: 3,
		});
		expect((await store.sendLimits.reserve('k@example.test', 3, HOUR)).allowed).toBe(false);
	});

	test('several store handles (several n8n processes) share one count, also when racing', async () => {
		const other = await site.open({ now: clock.now });
		const third = await site.open({ now: clock.now });
		const handles = [store, other, third];
		const results = await Promise.all(
			Array.from({ length: 24 }, (_, i) =>
				handles[i % handles.length].sendLimits.reserve('race@example.test', 10, HOUR),
			),
		);
		expect(results.filter((r) => r.allowed)).toHaveLength(10);
		expect((await other.sendLimits.reserve('race@example.test', 10, HOUR)).allowed).toBe(false);
	});

	test('entries older than the longest period are removed for every recipient', async () => {
		await store.sendLimits.reserve('old@example.test', 1, HOUR);
		clock.advance(MAX_SEND_LIMIT_PERIOD_MS + 1);
		await store.sendLimits.reserve('new@example.test', 1, HOUR);
		// the old entry is gone even for the longest period
		expect(
			await store.sendLimits.reserve('old@example.test', 1, MAX_SEND_LIMIT_PERIOD_MS),
		).toMatchObject({ allowed: true, count: 1 });
	});

	test('a wrong limit, period or key is refused with a clear message', async () => {
		await expect(store.sendLimits.reserve('a@example.test', 0, HOUR)).rejects.toMatchObject({
			code: 'INVALID_INPUT',
		});
		await expect(store.sendLimits.reserve('a@example.test', 1.5, HOUR)).rejects.toMatchObject({
			code: 'INVALID_INPUT',
		});
		await expect(
			store.sendLimits.reserve('a@example.test', 1, MAX_SEND_LIMIT_PERIOD_MS + 1),
		).rejects.toThrow(/between 1 second and 7 days/);
		await expect(store.sendLimits.reserve('', 1, HOUR)).rejects.toMatchObject({
			code: 'INVALID_INPUT',
		});
	});
});
