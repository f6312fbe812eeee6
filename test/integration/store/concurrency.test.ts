import { LATEST_SCHEMA_VERSION, type Store } from '../../../lib/store';
import { BACKENDS, seed, StoreSite } from './support/backends';
import { StoreChild } from './support/child-process';

jest.setTimeout(90_000);

const YEAR = new Date().getFullYear();

/** The sequence part of `2026-000017` → 17, checking the year prefix on the way. */
function seqOf(number: string): number {
	const match = /^(\d{4})-(\d{6})$/.exec(number);
	if (!match) throw new Error(`unexpected case number ${number}`);
	expect(Number(match[1])).toBe(YEAR);
	return Number(match[2]);
}

function expectGapFree(numbers: string[], count: number): void {
	expect(numbers).toHaveLength(count);
	expect(new Set(numbers).size).toBe(count);
	const seqs = numbers.map(seqOf).sort((a, b) => a - b);
	expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
}

function createMany(
	store: Store,
	count: number,
	workflowId: number,
	orgUnitId: number,
): Promise<string[]> {
	return Promise.all(
		Array.from({ length: count }, () =>
			store.cases.create({ workflowId, responsibleOrgUnitId: orgUnitId }).then((c) => c.number),
		),
	);
}

describe.each(BACKENDS)('concurrency on %s', (backend) => {
	let site: StoreSite;

	beforeEach(() => {
		site = new StoreSite(backend);
	});

	afterEach(async () => {
		await site.cleanup();
	});

	test('20 concurrent case creations in one process get 20 distinct, gap-free numbers', async () => {
		const store = await site.open();
		const fx = await seed(store);
		const numbers = await createMany(store, 20, fx.workflow.id, fx.support.id);
		expectGapFree(numbers, 20);
		expect(await store.countCases()).toBe(20);
	});

	test('R-PLUS-7: two processes creating 10 cases each at once get 20 distinct, gap-free numbers', async () => {
		const store = await site.open();
		const fx = await seed(store);
		const child = new StoreChild({
			config: site.config,
			task: 'create',
			count: 10,
			workflowId: fx.workflow.id,
			orgUnitId: fx.support.id,
		});
		await child.ready;
		child.go();
		const mine = await createMany(store, 10, fx.workflow.id, fx.support.id);
		const theirs = (await child.result) as string[];
		expectGapFree([...mine, ...theirs], 20);
	});

	test('two stores on the same database in one process share the sequence', async () => {
		const a = await site.open();
		const b = await site.open();
		const fx = await seed(a);
		const [fromA, fromB] = await Promise.all([
			createMany(a, 10, fx.workflow.id, fx.support.id),
			createMany(b, 10, fx.workflow.id, fx.support.id),
		]);
		expectGapFree([...fromA, ...fromB], 20);
	});

	test('R-PLUS-2: two concurrent calls with the same Message-ID create one case', async () => {
		const store = await site.open();
		const fx = await seed(store);
		const input = {
			messageKey: 'mid:same@customer',
			workflowId: fx.workflow.id,
			responsibleOrgUnitId: fx.support.id,
			mail: { messageId: 'same@customer', from: 'k@example.com' },
		};
		const results = await Promise.all([
			store.ledger.createCaseFromMail(input),
			store.ledger.createCaseFromMail(input),
			store.ledger.createCaseFromMail(input),
		]);
		expect(results.filter((r) => !r.replayed)).toHaveLength(1);
		expect(new Set(results.map((r) => r.case!.id)).size).toBe(1);
		expect(new Set(results.map((r) => r.activity!.id)).size).toBe(1);
		expect(await store.countCases()).toBe(1);
	});

	test('R-PLUS-2: two processes handling the same 10 mails at once create each case once', async () => {
		const store = await site.open();
		const fx = await seed(store);
		const keys = Array.from({ length: 10 }, (_, i) => `mid:mail-${i}@customer`);
		const child = new StoreChild({
			config: site.config,
			task: 'ingest',
			keys,
			workflowId: fx.workflow.id,
			orgUnitId: fx.support.id,
		});
		await child.ready;
		child.go();
		const mine = await Promise.all(
			keys.map((key) =>
				store.ledger
					.createCaseFromMail({
						messageKey: key,
						workflowId: fx.workflow.id,
						responsibleOrgUnitId: fx.support.id,
						mail: { messageId: key.slice(4), from: 'parent@example.com' },
					})
					.then((r) => ({ key, number: r.case!.number, replayed: r.replayed })),
			),
		);
		const theirs = (await child.result) as typeof mine;
		expect(await store.countCases()).toBe(10);
		for (const key of keys) {
			const a = mine.find((r) => r.key === key)!;
			const b = theirs.find((r) => r.key === key)!;
			expect(a.number).toBe(b.number);
			// exactly one of the two created it
			expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
		}
		expectGapFree(
			mine.map((r) => r.number),
			10,
		);
		// one incoming-mail activity per mail
		for (const r of mine) {
			const c = await store.cases.getByNumber(r.number);
			expect(await store.activities.listForCase(c!.id)).toHaveLength(1);
		}
	});

	test('R-PROC-3: concurrent member updates of one org unit all succeed, the last one wins whole', async () => {
		const store = await site.open();
		const fx = await seed(store);
		const lists = Array.from({ length: 6 }, (_, i) => [
			`a${i}@example.com`,
			`b${i}@example.com`,
			'shared@example.com',
		]);
		await Promise.all(lists.map((members) => store.orgUnits.update(fx.support.id, { members })));
		const final = (await store.orgUnits.get(fx.support.id))!.members;
		expect(lists).toContainEqual(final);
	});

	test('two processes opening a fresh store at once both migrate it safely', async () => {
		const children = [
			new StoreChild({ config: site.config, task: 'open' }),
			new StoreChild({ config: site.config, task: 'open' }),
		];
		await Promise.all(children.map((c) => c.ready));
		children.forEach((c) => c.go());
		const results = (await Promise.all(children.map((c) => c.result))) as Array<{
			schemaVersion: number;
		}>;
		expect(results).toEqual([
			{ schemaVersion: LATEST_SCHEMA_VERSION },
			{ schemaVersion: LATEST_SCHEMA_VERSION },
		]);
		const store = await site.open();
		expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
	});
});
