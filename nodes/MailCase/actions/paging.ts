import type { IExecuteFunctions } from 'n8n-workflow';

/** The store returns at most this many rows per call. */
const PAGE = 1000;

/**
 * "Return All" / "Limit" over a store list that pages with limit and offset: all rows, or the
 * first `limit` rows.
 */
export async function pageThrough<T>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fetch: (limit: number, offset: number) => Promise<T[]>,
): Promise<T[]> {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const wanted = returnAll
		? Number.POSITIVE_INFINITY
		: Math.max(1, Number(ctx.getNodeParameter('limit', itemIndex, 50)));
	const rows: T[] = [];
	while (rows.length < wanted) {
		const size = Math.min(PAGE, wanted - rows.length);
		const page = await fetch(size, rows.length);
		rows.push(...page);
		if (page.length < size) break;
	}
	return rows;
}
