/**
 * #18 The case board's query (`cases.board`): open cases of one org unit or all, the most
 * recently active first, paged, with the total. One suite for both backends: the unit project
 * runs it on SQLite (test/unit/store/desk-board.test.ts), the integration project on
 * PostgreSQL (test/integration/store/desk-board.test.ts).
 */
import type { Store } from '../../../../lib/store';
import { seed, StoreSite, type BackendName } from './backends';
import { testClock } from './history-and-claims-suite';

export function deskBoardSuite(backend: BackendName): void {
	let site: StoreSite;
	let store: Store;
	let fx: Awaited<ReturnType<typeof seed>>;

	beforeEach(async () => {
		site = new StoreSite(backend);
		store = await site.open({ now: testClock().now });
		fx = await seed(store);
	});

	afterEach(async () => {
		await site.cleanup();
	});

	const open = async (title: string, unit: number) =>
		await store.cases.create({ workflowId: fx.workflow.id, responsibleOrgUnitId: unit, title });

	test('open cases, newest activity first (a mail, a note or a field change moves a case up), paged with the total', async () => {
		const a = await open('A', fx.support.id);
		const b = await open('B', fx.support.id);
		const c = await open('C', fx.backOffice.id);
		const d = await open('D', fx.support.id);
		await store.cases.update(d.id, { status: 'closed' });
		expect((await store.cases.board()).cases.map((x) => x.title)).toEqual(['C', 'B', 'A']);
		await store.activities.add({ caseId: a.id, kind: 'note', author: 'agent', text: 'called' });
		expect((await store.cases.board()).cases.map((x) => x.title)).toEqual(['A', 'C', 'B']);
		await store.cases.update(b.id, { fields: { Name: 'Schulz' } }, { changedBy: 'agent' });
		const all = await store.cases.board();
		expect(all.cases.map((x) => x.title)).toEqual(['B', 'A', 'C']);
		expect(all.total).toBe(3);

		const support = await store.cases.board({ responsibleOrgUnitId: fx.support.id });
		expect(support).toEqual({
			cases: [expect.objectContaining({ title: 'B' }), expect.objectContaining({ title: 'A' })],
			total: 2,
		});
		const second = await store.cases.board({ limit: 2, offset: 2 });
		expect(second.cases.map((x) => x.title)).toEqual(['C']);
		expect(second.total).toBe(3);
		const closed = await store.cases.board({ status: 'closed' });
		expect(closed.cases.map((x) => x.id)).toEqual([d.id]);
		expect(closed.total).toBe(1);
		expect(c.status).toBe('open');
	});

	test('1,000 open cases: pages of 50 in a stable order, every case once', async () => {
		for (let i = 0; i < 1000; i++)
			await open(`case ${i}`, i % 2 ? fx.support.id : fx.backOffice.id);
		const seen = new Set<number>();
		for (let offset = 0; offset < 1000; offset += 50) {
			const pageOf = await store.cases.board({ limit: 50, offset });
			expect(pageOf.total).toBe(1000);
			expect(pageOf.cases).toHaveLength(50);
			for (const x of pageOf.cases) seen.add(x.id);
		}
		expect(seen.size).toBe(1000);
		const first = await store.cases.board({ limit: 50 });
		expect(first.cases[0].title).toBe('case 999');
		expect((await store.cases.board({ responsibleOrgUnitId: fx.support.id })).total).toBe(500);
	});
}
