/**
 * R-PROC-5 / R-PLUS-5: from a mail to the field updates of a stored case.
 *
 * parseFieldLines reads the `Field = Value` lines against the case form's fields (unknown names
 * reported, values checked and normalised to canonical strings, allowed-field list applied,
 * quoted reply text skipped). This module turns its result into what the store writes — typed
 * values (number → number, boolean → true/false, date → `YYYY-MM-DD`, empty → null = cleared) —
 * and applies the sender policy: a sender who may not change the case has every field he wrote
 * rejected, with the policy's reason. Nothing here writes.
 */
import type { FieldDefinition, FieldValue, FieldValues } from '../store/types';
import type { FieldDef } from './field-values';
import { parseFieldLines, type FieldSeparator, type MailBody } from './field-lines';
import type { SenderPolicyResult } from './sender-policy';

export interface PlanFieldUpdatesOptions {
	/** Default `['=']`; add `':'` for `Field: Value`. */
	separators?: FieldSeparator[];
	/** Match names case-insensitively (default false: exact). */
	caseInsensitive?: boolean;
	/** Only these fields may be set by mail; null/undefined: all fields of the form. */
	allowedFields?: string[] | null;
	/** How to read an ambiguous `1.234` (see field-values.ts). */
	decimalSeparator?: ',' | '.';
	/** The sender policy's verdict; when not allowed, nothing is applied. Undefined: allowed. */
	sender?: SenderPolicyResult;
}

export interface FieldUpdatePlan {
	/** What to write: field → typed value (null clears). Empty when nothing may be applied. */
	updates: FieldValues;
	/** Names written in the mail that are no field of the form (never created). */
	unknown: string[];
	/** Fields whose value does not fit the field type (not written). */
	invalid: Array<{ field: string; value: string; reason: string }>;
	/** Fields the sender may not set (allowed-field list or sender policy; not written). */
	rejected: Array<{ field: string; reason: string }>;
	/** Only when a limit cut the reading of the mail (see parseFieldLines). */
	notes?: string[];
}

/** The store's form definition in the shape lib/cases parses against. */
export function fieldDefsOf(fields: readonly FieldDefinition[]): FieldDef[] {
	return fields.map((f) => ({ name: f.name, type: f.type }));
}

/**
 * A normalised value string (parseFieldLines) as the store's typed value; undefined when the
 * string does not fit (cannot happen for parseFieldLines output, kept as a guard).
 */
export function typedFieldValue(
	value: string,
	type: FieldDefinition['type'],
): FieldValue | undefined {
	if (value === '') return null;
	switch (type) {
		case 'number': {
			const n = Number(value);
			return Number.isFinite(n) ? n : undefined;
		}
		case 'boolean':
			return value === 'true' ? true : value === 'false' ? false : undefined;
		case 'date':
		case 'text':
		default:
			return value;
	}
}

/** R-PROC-5 / R-PLUS-5: the updates a mail may make to a case of a workflow with `fields`. */
export function planFieldUpdates(
	body: MailBody,
	fields: readonly FieldDefinition[],
	options: PlanFieldUpdatesOptions = {},
): FieldUpdatePlan {
	const parsed = parseFieldLines(body, {
		knownFields: fieldDefsOf(fields),
		separators: options.separators,
		caseInsensitive: options.caseInsensitive,
		allowedFields: options.allowedFields,
		decimalSeparator: options.decimalSeparator,
	});
	const rejected = [...parsed.rejected];
	const invalid = [...parsed.invalid];
	const updates: FieldValues = {};
	const notes = parsed.notes ? { notes: parsed.notes } : {};

	if (options.sender && !options.sender.allowed) {
		const reason = options.sender.message;
		const seen = new Set(rejected.map((r) => r.field));
		for (const field of [...Object.keys(parsed.fields), ...invalid.map((i) => i.field)]) {
			if (!seen.has(field)) rejected.push({ field, reason });
			seen.add(field);
		}
		return { updates, unknown: parsed.unknown, invalid: [], rejected, ...notes };
	}

	const types = new Map(fields.map((f) => [f.name, f.type]));
	for (const [field, value] of Object.entries(parsed.fields)) {
		const typed = typedFieldValue(value, types.get(field) ?? 'text');
		if (typed === undefined)
			invalid.push({ field, value, reason: `not a ${types.get(field)} value` });
		else updates[field] = typed;
	}
	return { updates, unknown: parsed.unknown, invalid, rejected, ...notes };
}
