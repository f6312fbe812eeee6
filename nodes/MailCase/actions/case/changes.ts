import type { Activity } from '../../../../lib/store';

/** The field_change activities of an update, as `{ field, oldValue, newValue, changedBy }`. */
export function changeSummary(changes: Activity[]) {
	return changes.map((c) => ({
		field: c.fieldName,
		oldValue: c.oldValue,
		newValue: c.newValue,
		changedBy: c.changedBy,
	}));
}
