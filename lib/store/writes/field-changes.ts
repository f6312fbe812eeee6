import type { StoreContext } from '../context';
import { activityFromRow, toNullableJson } from '../rows';
import type { Activity, ActivityKind, FieldValue } from '../types';
import type { Trx } from './transaction';

/** Field-change activities: one row in `activities` per value that really changed. */
export async function insertFieldChange(
	ctx: StoreContext,
	trx: Trx,
	caseId: number,
	fieldName: string,
	oldValue: FieldValue | undefined,
	newValue: FieldValue | undefined,
	changedBy: string | null,
): Promise<Activity> {
	const row = await trx
		.insertInto('activities')
		.values({
			case_id: caseId,
			kind: 'field_change' satisfies ActivityKind,
			message_id: null,
			from_address: null,
			to_addresses: null,
			cc_addresses: null,
			subject: null,
			text_body: null,
			html_body: null,
			field_name: fieldName,
			old_value: toNullableJson(oldValue),
			new_value: toNullableJson(newValue),
			changed_by: changedBy,
			created_at: ctx.now(),
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return activityFromRow(row, []);
}
