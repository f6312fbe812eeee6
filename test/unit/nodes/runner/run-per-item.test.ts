/**
 * Issue #12.2: the one per-item runner of every node (nodes/shared/run-per-item.ts) — resources
 * opened lazily once and closed, pairedItem always set, itemIndex always stamped, Continue On
 * Fail the same for an item's error and a resource that cannot be opened, one error-item shape.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import { runPerItem, type Resource } from '../../../../nodes/shared/run-per-item';
import { fakeExecute } from './fake-execute';

function counted<T>(value: T | (() => never)) {
	const calls = { open: 0, close: 0 };
	const resource: Resource<T> = {
		open: () => {
			calls.open++;
			return typeof value === 'function' ? (value as () => never)() : value;
		},
		close: () => {
			calls.close++;
		},
	};
	return { calls, resource };
}

describe('runPerItem', () => {
	test('a resource is opened at the first item that asks for it, once, and closed once', async () => {
		const ctx = fakeExecute({ items: [{ a: 1 }, { a: 2 }, { a: 3 }] });
		const store = counted({ name: 'store' });
		const unused = counted({ name: 'unused' });
		const seen: string[] = [];
		const out = await runPerItem(ctx, {
			resources: { store: store.resource, unused: unused.resource },
			item: async (i, r) => {
				if (i > 0) seen.push((await r.store()).name);
				return { json: { i } };
			},
		});
		expect(seen).toEqual(['store', 'store']);
		expect(store.calls).toEqual({ open: 1, close: 1 });
		expect(unused.calls).toEqual({ open: 0, close: 0 });
		expect(out).toEqual([[0, 1, 2].map((i) => ({ json: { i }, pairedItem: { item: i } }))]);
	});

	test('resources are closed also when an item fails the run', async () => {
		const ctx = fakeExecute({ items: [{}, {}] });
		const sender = counted({});
		await expect(
			runPerItem(ctx, {
				resources: { sender: sender.resource },
				item: async (_i, r) => {
					await r.sender();
					throw new MailCasesError('NOT_FOUND', 'Case 1 does not exist');
				},
			}),
		).rejects.toThrow('Case 1 does not exist');
		expect(sender.calls).toEqual({ open: 1, close: 1 });
	});

	test('every output item is paired with its input; several items and other outputs', async () => {
		const ctx = fakeExecute({ items: [{}, {}] });
		const out = await runPerItem(ctx, {
			outputs: 2,
			item: async (i) =>
				i === 0
					? [{ json: { a: 1 } }, { json: { a: 2 }, pairedItem: { item: 7 } }]
					: { output: 1, item: { json: { b: 1 } } },
		});
		expect(out).toEqual([
			[
				{ json: { a: 1 }, pairedItem: { item: 0 } },
				{ json: { a: 2 }, pairedItem: { item: 0 } },
			],
			[{ json: { b: 1 }, pairedItem: { item: 1 } }],
		]);
	});

	describe('without Continue On Fail the n8n error carries the item index', () => {
		const fail = (error: unknown) =>
			runPerItem(fakeExecute({ items: [{}, {}, {}] }), {
				item: async (i) => {
					if (i === 2) throw error;
					return { json: {} };
				},
			}).then(
				() => undefined,
				(thrown: unknown) => thrown,
			);

		test('a MailCasesError: NodeOperationError, or NodeApiError for a remote failure', async () => {
			const input = (await fail(
				new MailCasesError('NOT_FOUND', 'Case 9 does not exist'),
			)) as NodeOperationError;
			expect(input).toBeInstanceOf(NodeOperationError);
			expect(input.message).toBe('Case 9 does not exist');
			expect(input.context.itemIndex).toBe(2);
			const remote = (await fail(
				new MailCasesError('AUTH_FAILED', 'The SMTP server refused the login'),
			)) as NodeApiError;
			expect(remote).toBeInstanceOf(NodeApiError);
			expect(remote.context.itemIndex).toBe(2);
		});

		test('an n8n error the operation threw keeps its type and gets the item index', async () => {
			const ctx = fakeExecute();
			const none = new NodeOperationError(ctx.getNode(), 'bad parameter');
			expect(await fail(none)).toBe(none);
			expect(none.context.itemIndex).toBe(2);
			const other = new NodeOperationError(ctx.getNode(), 'bad parameter', { itemIndex: 0 });
			expect(((await fail(other)) as NodeOperationError).context.itemIndex).toBe(2);
			const api = new NodeApiError(ctx.getNode(), { message: 'remote' });
			expect(await fail(api)).toBe(api);
			expect(api.context.itemIndex).toBe(2);
		});

		test('a plain Error becomes a NodeOperationError with the index', async () => {
			const error = (await fail(new Error('boom'))) as NodeOperationError;
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.context.itemIndex).toBe(2);
		});
	});

	test('with Continue On Fail an error is the item { ...input, error, code } on the first output', async () => {
		const ctx = fakeExecute({
			items: [{ messageId: '<a@b>' }, { messageId: '<c@d>' }, {}],
			continueOnFail: true,
		});
		const out = await runPerItem(ctx, {
			outputs: 2,
			item: async (i) => {
				if (i === 0) throw new MailCasesError('NOT_FOUND', 'Case 9 does not exist');
				if (i === 2) throw new Error('expression failed');
				return { output: 1, item: { json: { ok: true } } };
			},
		});
		expect(out).toEqual([
			[
				{
					json: { messageId: '<a@b>', error: 'Case 9 does not exist', code: 'NOT_FOUND' },
					pairedItem: { item: 0 },
				},
				{ json: { error: 'expression failed', code: null }, pairedItem: { item: 2 } },
			],
			[{ json: { ok: true }, pairedItem: { item: 1 } }],
		]);
	});

	test('a resource that cannot be opened fails each item that needs it (opened once); Continue On Fail → error items', async () => {
		const profile = counted<{ send: () => void }>(() => {
			throw new MailCasesError('INVALID_INPUT', 'The SMTP profile has no host');
		});
		const ctx = fakeExecute({ items: [{ n: 0 }, { n: 1 }, { n: 2 }], continueOnFail: true });
		const out = await runPerItem(ctx, {
			resources: { sender: profile.resource },
			item: async (i, r) => {
				if (i === 1) return { json: { test: true } };
				await r.sender();
				return { json: { sent: true } };
			},
		});
		expect(profile.calls).toEqual({ open: 1, close: 0 });
		expect(out[0]).toEqual([
			{
				json: { n: 0, error: 'The SMTP profile has no host', code: 'INVALID_INPUT' },
				pairedItem: { item: 0 },
			},
			{ json: { test: true }, pairedItem: { item: 1 } },
			{
				json: { n: 2, error: 'The SMTP profile has no host', code: 'INVALID_INPUT' },
				pairedItem: { item: 2 },
			},
		]);
	});

	test('a resource that cannot be opened, without Continue On Fail: the error of the first item that needs it', async () => {
		const ctx = fakeExecute({ items: [{}, {}] });
		const store = counted<object>(() => {
			throw new MailCasesError('STORE_UNAVAILABLE', 'The case store at db:5432 cannot be reached');
		});
		const error = (await runPerItem(ctx, {
			resources: { store: store.resource },
			item: async (i, r) => {
				if (i === 1) await r.store();
				return { json: {} };
			},
		}).catch((thrown: unknown) => thrown)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The case store at db:5432 cannot be reached');
		expect(error.context.itemIndex).toBe(1);
	});

	describe('#17.5 concurrency', () => {
		/** Items that finish when the test says so; counts how many run at once. */
		function gated(count: number) {
			const release: Array<() => void> = [];
			const started: number[] = [];
			let running = 0;
			let widest = 0;
			const item = async (i: number) => {
				started.push(i);
				running++;
				widest = Math.max(widest, running);
				await new Promise<void>((resolve) => (release[i] = resolve));
				running--;
				if (i % 2 === 1) throw new MailCasesError('RECIPIENT_REJECTED', `item ${i} refused`);
				return { json: { i } };
			};
			const ctx = (continueOnFail: boolean) =>
				fakeExecute({ items: Array.from({ length: count }, (_, n) => ({ n })), continueOnFail });
			return { release, started, item, ctx, widest: () => widest };
		}

		/** Lets the runner go on until the items it started are waiting for their gate. */
		const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

		test('after the first item the items run as wide as asked, finish in any order, come out in item order', async () => {
			const g = gated(6);
			const running = runPerItem(g.ctx(true), {
				concurrency: () => 3,
				item: (i) => g.item(i),
			});
			await settle();
			expect(g.started).toEqual([0]); // the first item alone (it opens the resources)
			g.release[0]();
			await settle();
			expect(g.started).toEqual([0, 1, 2, 3]);
			for (const i of [3, 2, 1, 5, 4]) {
				await settle();
				g.release[i]?.();
			}
			for (let i = 0; i < 6; i++) {
				await settle();
				g.release[i]?.();
			}
			const [out] = await running;
			expect(g.widest()).toBe(3);
			expect(out.map((o) => [o.pairedItem, o.json.i ?? o.json.code])).toEqual([
				[{ item: 0 }, 0],
				[{ item: 1 }, 'RECIPIENT_REJECTED'],
				[{ item: 2 }, 2],
				[{ item: 3 }, 'RECIPIENT_REJECTED'],
				[{ item: 4 }, 4],
				[{ item: 5 }, 'RECIPIENT_REJECTED'],
			]);
		});

		test('without Continue On Fail: no item starts after a failure, the running ones finish, the first failed item ends the run', async () => {
			const g = gated(8);
			const running = runPerItem(g.ctx(false), {
				concurrency: () => 4,
				item: (i) => g.item(i),
			}).catch((thrown: unknown) => thrown as NodeApiError);
			await settle();
			g.release[0]();
			await settle();
			expect(g.started).toEqual([0, 1, 2, 3, 4]);
			g.release[3](); // item 3 fails first …
			await settle();
			g.release[1](); // … item 1 fails later
			g.release[2]();
			g.release[4]();
			const error = await running;
			expect(g.started).toEqual([0, 1, 2, 3, 4]);
			expect(error).toBeInstanceOf(NodeApiError);
			expect((error as NodeApiError).context.itemIndex).toBe(1);
			expect((error as NodeApiError).message).toBe('item 1 refused');
		});

		test('a concurrency that cannot be told (the sender does not open) runs the items one after the other', async () => {
			const g = gated(3);
			const running = runPerItem(g.ctx(true), {
				concurrency: () => {
					throw new Error('no sender');
				},
				item: (i) => g.item(i),
			});
			for (let i = 0; i < 3; i++) {
				await settle();
				expect(g.started).toEqual(Array.from({ length: i + 1 }, (_, n) => n));
				g.release[i]();
			}
			await running;
			expect(g.widest()).toBe(1);
		});
	});
});
