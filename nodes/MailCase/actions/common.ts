import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { normalizeFieldValue } from '../../../lib/cases/field-values';
import { MailCasesError } from '../../../lib/errors';
import type { Case, FieldDefinition, FieldValue, FieldValues, Store } from '../../../lib/store';

/** Plain JSON of a store entity: dates as ISO text, nothing else changed. */
export function toJson(value: unknown): IDataObject {
	return plain(value) as IDataObject;
}

function plain(value: unknown): unknown {
	if (value instanceof Date) return value.toISOString();
	if (Array.isArray(value)) return value.map(plain);
	if (Buffer.isBuffer(value)) return undefined;
	if (value && typeof value === 'object') {
		const out: IDataObject = {};
		for (const [key, v] of Object.entries(value)) {
			const converted = plain(v);
			if (converted !== undefined) out[key] = converted as IDataObject[string];
		}
		return out;
	}
	return value;
}

/** One output item for input item `itemIndex`. */
export function outputItem(value: unknown, itemIndex: number): INodeExecutionData {
	return { json: toJson(value), pairedItem: { item: itemIndex } };
}

/** A list of entities as output items, all paired with input item `itemIndex`. */
export function outputItems(values: unknown[], itemIndex: number): INodeExecutionData[] {
	return values.map((value) => ({ json: toJson(value), pairedItem: { item: itemIndex } }));
}

function idFrom(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
	if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
		const id = Number(value);
		return id > 0 ? id : undefined;
	}
	return undefined;
}

function nameFrom(value: unknown, what: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (!text) throw new MailCasesError('INVALID_INPUT', `Choose a ${what} (by name or ID)`);
	return text;
}

/** A workflow chosen in a dropdown (its id) or given by an expression as id or name. */
export async function workflowIdOf(store: Store, value: unknown): Promise<number> {
	const id = idFrom(value);
	if (id !== undefined) return id;
	const name = nameFrom(value, 'workflow');
	const workflow = await store.workflows.getByName(name);
	if (!workflow) throw new MailCasesError('NOT_FOUND', `Workflow "${name}" does not exist`);
	return workflow.id;
}

/** An org unit / role chosen in a dropdown (its id) or given as id or name. */
export async function orgUnitIdOf(store: Store, value: unknown): Promise<number> {
	const id = idFrom(value);
	if (id !== undefined) return id;
	const name = nameFrom(value, 'org unit or role');
	const unit = await store.orgUnits.getByName(name);
	if (!unit) throw new MailCasesError('NOT_FOUND', `Org unit or role "${name}" does not exist`);
	return unit.id;
}

/** A contact chosen in a dropdown (its id) or given as id or e-mail address (oldest match). */
export async function contactIdOf(store: Store, value: unknown): Promise<number> {
	const id = idFrom(value);
	if (id !== undefined) return id;
	const email = nameFrom(value, 'contact');
	if (!email.includes('@')) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`Contact "${email}" is neither a contact ID nor an e-mail address`,
		);
	}
	const contact = await store.contacts.findByEmail(email);
	if (!contact) throw new MailCasesError('NOT_FOUND', `No contact has the e-mail address ${email}`);
	return contact.id;
}

/** The case with this number, or NOT_FOUND naming the number. */
export async function caseByNumber(store: Store, value: unknown): Promise<Case> {
	const number =
		typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (!number) throw new MailCasesError('INVALID_INPUT', 'A case number is required');
	return await store.cases.requireByNumber(number);
}

/** Addresses separated by commas, semicolons or line breaks. */
export function addressList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	if (typeof value !== 'string') return [];
	return value
		.split(/[,;\n]/)
		.map((part) => part.trim())
		.filter(Boolean);
}

/** Text of an optional parameter; empty → undefined (not set). */
export function optionalText(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

export interface FieldEntry {
	name?: string;
	value?: unknown;
}

/**
 * Form field values from the node's "Form Fields" list and "Form Fields (JSON)": text typed in
 * the editor is read according to the workflow's field type (number `1.234,56` / `1234.56`, date
 * `29.11.2026` / `2026-11-29`, boolean ja/nein, yes/no, true/false); an empty value clears the
 * field. Values that already have a type (from expressions or JSON) are kept. The store checks
 * the result and names the case and field of a wrong value.
 */
export function formFieldValues(
	label: string,
	definitions: FieldDefinition[],
	entries: FieldEntry[] | undefined,
	json: unknown,
): FieldValues | undefined {
	const raw: Array<[string, unknown]> = [];
	for (const entry of entries ?? []) {
		const name = typeof entry.name === 'string' ? entry.name.trim() : '';
		if (!name) throw new MailCasesError('INVALID_INPUT', `${label}: a form field has no name`);
		raw.push([name, entry.value]);
	}
	const fromJson = parseJsonObject(label, json);
	if (fromJson) raw.push(...Object.entries(fromJson));
	if (raw.length === 0) return undefined;
	const byName = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));
	const values: FieldValues = {};
	for (const [name, value] of raw) {
		const def = byName.get(name.toLowerCase());
		values[def?.name ?? name] = typedValue(label, def, name, value);
	}
	return values;
}

function parseOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function parseJsonObject(label: string, json: unknown): IDataObject | undefined {
	if (json === undefined || json === null || json === '') return undefined;
	let value: unknown = json;
	if (typeof json === 'string') {
		if (!json.trim()) return undefined;
		value = parseOrUndefined(json);
		if (value === undefined) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`${label}: Form Fields (JSON) is not valid JSON; write an object like {"Name": "Mustermann"}`,
			);
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw new MailCasesError(
			'INVALID_INPUT',
			`${label}: Form Fields (JSON) must be an object of field name → value`,
		);
	}
	return value as IDataObject;
}

function typedValue(
	label: string,
	def: FieldDefinition | undefined,
	name: string,
	value: unknown,
): FieldValue {
	if (value === undefined || value === null) return null;
	// a field the workflow does not have, or a value with a type already: the store checks it
	if (!def || typeof value !== 'string') return value as FieldValue;
	const result = normalizeFieldValue(value, { type: def.type });
	if (!result.ok) {
		throw new MailCasesError(
			'FIELD_INVALID',
			`${label}: field "${name}" (${def.type}): "${value}": ${result.reason}`,
		);
	}
	if (result.value === '') return null;
	if (def.type === 'number') return Number(result.value);
	if (def.type === 'boolean') return result.value === 'true';
	return result.value;
}
