import { MailCasesError } from '../errors';
import type { FieldDefinition, FieldType, FieldValue, FieldValues } from './types';

const FIELD_TYPES: readonly FieldType[] = ['text', 'number', 'date', 'boolean'];

/** Checks a workflow's form definition; returns a clean copy. */
export function validateFieldDefinitions(workflowName: string, fields: unknown): FieldDefinition[] {
	if (fields === undefined || fields === null) return [];
	if (!Array.isArray(fields)) {
		throw new MailCasesError('INVALID_INPUT', `Workflow "${workflowName}": fields must be a list`);
	}
	const seen = new Set<string>();
	return fields.map((raw, index) => {
		const field = raw as Partial<FieldDefinition> | null;
		const name = typeof field?.name === 'string' ? field.name.trim() : '';
		if (!name) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Workflow "${workflowName}": field ${index + 1} has no name`,
			);
		}
		if (name.startsWith('@')) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Workflow "${workflowName}": field name "${name}" must not start with @`,
			);
		}
		if (!FIELD_TYPES.includes(field!.type as FieldType)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Workflow "${workflowName}": field "${name}" has type "${String(field!.type)}"; use one of ${FIELD_TYPES.join(', ')}`,
			);
		}
		// `Field = Value` lines are matched without regard to case, so names must differ in more than case
		const key = name.toLowerCase();
		if (seen.has(key)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Workflow "${workflowName}": field "${name}" is defined twice`,
			);
		}
		seen.add(key);
		return { name, type: field!.type as FieldType, optional: field!.optional === true };
	});
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
	const m = ISO_DATE.exec(text);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(y, mo - 1, d));
	return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function describe(value: unknown): string {
	return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * Checks form field values against the workflow's definition: the field must exist and the
 * value must have the field's type (text: string, number: finite number, date: `YYYY-MM-DD`,
 * boolean: true/false); null clears a field. Converting text from a mail into these types is
 * the caller's job (lib/cases). Required fields are not enforced here: a case opened by mail
 * starts with whatever the mail carried.
 */
export function validateFieldValues(
	workflow: { name: string; fields: FieldDefinition[] },
	values: FieldValues | undefined,
	caseLabel: string,
): FieldValues {
	if (values === undefined || values === null) return {};
	if (typeof values !== 'object' || Array.isArray(values)) {
		throw new MailCasesError(
			'FIELD_INVALID',
			`${caseLabel}: field values must be an object of name → value`,
		);
	}
	const out: FieldValues = {};
	for (const [name, value] of Object.entries(values)) {
		const def = workflow.fields.find((f) => f.name === name);
		if (!def) {
			const known = workflow.fields.map((f) => f.name).join(', ') || 'none';
			throw new MailCasesError(
				'FIELD_INVALID',
				`${caseLabel}: workflow "${workflow.name}" has no field "${name}" (fields: ${known})`,
				{ details: { field: name } },
			);
		}
		if (value === null) {
			out[name] = null;
			continue;
		}
		const ok =
			(def.type === 'text' && typeof value === 'string') ||
			(def.type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
			(def.type === 'boolean' && typeof value === 'boolean') ||
			(def.type === 'date' && typeof value === 'string' && isCalendarDate(value));
		if (!ok) {
			const expected =
				def.type === 'date'
					? 'a date YYYY-MM-DD'
					: def.type === 'number'
						? 'a number'
						: def.type === 'boolean'
							? 'true or false'
							: 'text';
			throw new MailCasesError(
				'FIELD_INVALID',
				`${caseLabel}: field "${name}" expects ${expected}, got ${describe(value)}`,
				{ details: { field: name } },
			);
		}
		out[name] = value;
	}
	return out;
}

export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
	return (a ?? null) === (b ?? null);
}
