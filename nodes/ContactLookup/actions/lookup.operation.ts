import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { contactJson } from '../../../lib/cases/case-json';
import type { Store } from '../../../lib/store';

/**
 * The contact of an e-mail address (the mail's sender by default). None found → every contact
 * field empty (null); several → the oldest, the store's rule ("the first one").
 */
export async function lookup(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData> {
	const input = ctx.getInputData()[itemIndex];
	const raw = String(ctx.getNodeParameter('email', itemIndex, '') ?? '').trim();
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { outputProperty?: string };
	const property = options.outputProperty?.trim() || 'contact';
	// a display form ("Name" <a@b>) is reduced to its address; the store ignores case
	const address = /<([^<>\s@]+@[^<>\s]+)>/.exec(raw)?.[1] ?? raw;
	const all = address.includes('@') ? await store.contacts.findAllByEmail(address) : [];
	return {
		json: {
			...input.json,
			[property]: contactJson(all[0]) as unknown as IDataObject,
			[`${property}Matches`]: all.length,
		},
		...(input.binary ? { binary: input.binary } : {}),
	};
}
