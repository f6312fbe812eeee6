import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { isMailCasesError } from '../../lib/errors';
import { recordRunFacts } from './custom-data';
import { failedItem } from './errors';

/**
 * A resource an execution shares between its items (a case store, a sender): opened at the
 * first item that asks for it, once per execution, and closed when the execution is done.
 */
export interface Resource<T> {
	open: () => Promise<T> | T;
	/** Called once after the last item when the resource was opened (not for a cached store). */
	close?: (value: T) => unknown;
}

/** Any resource (the constraint of a node's declared resources). */
export interface AnyResource {
	open: () => unknown;
	close?: (value: never) => unknown;
}

/** What an item callback receives: one getter per declared resource. */
export type Opened<R> = {
	[K in keyof R]: R[K] extends Resource<infer T> ? () => Promise<T> : never;
};

/** An item sent to another output than the first (Case Match's "Unmatched", Create Case's "Skipped"). */
export interface Routed {
	output: number;
	item: INodeExecutionData;
}

export type ItemResult = INodeExecutionData | INodeExecutionData[] | Routed;

export interface PerItem<R extends Record<string, AnyResource>> {
	/** Number of outputs of the node (default 1); error items always go to the first. */
	outputs?: number;
	resources?: R;
	item: (itemIndex: number, resources: Opened<R>) => Promise<ItemResult>;
	/**
	 * #17.5: how many items may run at once, asked once after the first item (which runs alone and
	 * opens what it needs), e.g. the SMTP pool's connections. Default (and on an error) 1.
	 */
	concurrency?: (resources: Opened<R>) => Promise<number> | number;
}

type Settled = { ok: true; result: ItemResult } | { ok: false; error: unknown };

function isRouted(result: ItemResult): result is Routed {
	return !Array.isArray(result) && !('json' in result) && 'output' in result;
}

/**
 * The one per-item loop of every node. Each input item runs `item`; what it returns is paired
 * with the input (`pairedItem: { item: i }`). An error of an item — also a resource that could
 * not be opened, e.g. a bad SMTP profile or an unreachable store — becomes that item's error
 * item `{ ...input.json, error, code }` with Continue On Fail, else the n8n error with the
 * item index. A resource that failed to open is not opened again: every later item that needs
 * it gets the same error.
 *
 * #14.3: after the items (also when an item's error ends the run) the execution's custom data
 * gets the mail's subject, sender and Message-ID and, from the case nodes, the case numbers and
 * what was done (nodes/shared/custom-data.ts). #14.4: a failed item's error names the mail and
 * what the nodes before did with it (nodes/shared/errors.ts `withItemContext`).
 *
 * #17.5: with `concurrency` the items after the first run that many at once; the outputs keep
 * the items' order. Without Continue On Fail no item is started after one failed; the ones
 * already running finish (a mail in flight is sent and recorded), then the first failed item's
 * error ends the run — with one at a time exactly as the items one after the other.
 */
export async function runPerItem<R extends Record<string, AnyResource> = Record<string, never>>(
	ctx: IExecuteFunctions,
	spec: PerItem<R>,
): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = Array.from({ length: spec.outputs ?? 1 }, () => []);
	const declared = (spec.resources ?? {}) as R;
	const opening = new Map<keyof R, Promise<unknown>>();
	const opened = {} as Record<keyof R, () => Promise<unknown>>;
	for (const name of Object.keys(declared) as Array<keyof R>) {
		opened[name] = () => {
			let value = opening.get(name);
			if (!value) {
				value = Promise.resolve().then(() => declared[name].open());
				opening.set(name, value);
			}
			return value;
		};
	}
	const items = ctx.getInputData();
	const failed: Array<{ code: string | null }> = [];
	const settled: Array<Settled | undefined> = new Array(items.length);
	const stopOnError = !ctx.continueOnFail();
	let next = 0;
	let stopped = false;
	const runNext = async () => {
		const i = next++;
		try {
			settled[i] = { ok: true, result: await spec.item(i, opened as Opened<R>) };
		} catch (error) {
			settled[i] = { ok: false, error };
			if (stopOnError) stopped = true;
		}
	};
	const worker = async () => {
		while (!stopped && next < items.length) await runNext();
	};
	try {
		if (items.length > 0) await runNext();
		const width =
			spec.concurrency && !stopped && next < items.length
				? await widthOf(spec.concurrency, opened as Opened<R>)
				: 1;
		await Promise.all(Array.from({ length: Math.min(width, items.length - next) }, worker));
		let firstError: { error: unknown } | undefined;
		for (let i = 0; i < items.length; i++) {
			const outcome = settled[i];
			if (!outcome) continue; // not started: an earlier item failed the run
			if (outcome.ok) {
				const routed = isRouted(outcome.result)
					? outcome.result
					: { output: 0, item: outcome.result };
				const produced = Array.isArray(routed.item) ? routed.item : [routed.item];
				for (const item of produced)
					outputs[routed.output].push({ ...item, pairedItem: { item: i } });
				continue;
			}
			failed.push({ code: isMailCasesError(outcome.error) ? outcome.error.code : null });
			try {
				outputs[0].push(failedItem(ctx, outcome.error, i));
			} catch (error) {
				firstError ??= { error };
			}
		}
		if (firstError) throw firstError.error;
	} finally {
		recordRunFacts(ctx, items, outputs, failed);
		for (const [name, value] of opening) {
			const close = declared[name].close as ((value: unknown) => unknown) | undefined;
			if (!close) continue;
			try {
				await close(await value);
			} catch {
				// not opened (its error went to the items) or closing failed: nothing left to release
			}
		}
	}
	return outputs;
}

/** The width the spec asks for: a whole number ≥ 1; 1 when asking fails. */
async function widthOf<R>(
	concurrency: (resources: Opened<R>) => Promise<number> | number,
	resources: Opened<R>,
): Promise<number> {
	try {
		const width = Math.floor(await concurrency(resources));
		return Number.isFinite(width) && width > 1 ? width : 1;
	} catch {
		return 1;
	}
}
