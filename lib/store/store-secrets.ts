/**
 * Issue #11.7: the key of signed case references, read from the store's `store_secrets` table
 * (created by migration 2). The secret text never leaves this module and the key object of
 * lib/store/case-reference-tag.ts; a missing row (deleted by hand) is created anew, which makes
 * the tags made before invalid.
 */
import {
	caseReferenceKey,
	newCaseReferenceSecret,
	type CaseReferenceKey,
} from './case-reference-tag';
import type { StoreContext } from './context';
import { CASE_REFERENCE_SECRET_NAME } from './migrations';

export async function loadCaseReferenceKey(ctx: StoreContext): Promise<CaseReferenceKey> {
	const secret = await ctx.transaction('read the case reference key', async (trx) => {
		const read = async () =>
			(
				await trx
					.selectFrom('store_secrets')
					.select('value')
					.where('name', '=', CASE_REFERENCE_SECRET_NAME)
					.executeTakeFirst()
			)?.value;
		const stored = await read();
		if (stored !== undefined) return stored;
		await trx
			.insertInto('store_secrets')
			.values({
				name: CASE_REFERENCE_SECRET_NAME,
				value: newCaseReferenceSecret(),
				created_at: ctx.now(),
			})
			.onConflict((oc) => oc.column('name').doNothing())
			.execute();
		return (await read()) ?? '';
	});
	return caseReferenceKey(secret);
}
