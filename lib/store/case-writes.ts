import type { Transaction } from 'kysely';
import { formatCaseNumber, formatHasYear } from '../cases/case-number-format';
import { MailCasesError } from '../errors';
import type { StoreContext } from './context';
import type { Database, Executor } from './db-types';
import { sameValue, validateFieldValues } from './field-values';
import { normalizeMessageId } from './message-keys';
import { findFirstContactByEmail } from './repositories/contacts';
import { loadWorkflow } from './repositories/workflows';
import {
	activityFromRow,
	attachmentFromRow,
	caseFromRow,
	toJson,
	toNullableJson,
	type AttachmentRow,
} from './rows';
import {
	CONTACT_FIELD,
	RESPONSIBLE_FIELD,
	STATUS_FIELD,
	TITLE_FIELD,
	type Activity,
	type ActivityKind,
	type Attachment,
	type AttachmentInput,
	type Case,
	type CaseInput,
	type CaseUpdate,
	type FieldValue,
	type MailActivityInput,
} from './types';

type Trx = Transaction<Database>;

/** Internal building blocks shared by the cases, activities and ledger repositories. */

export function caseLabel(c: { id: number; number?: string }): string {
	return c.number ? `Case ${c.number}` : `Case ${c.id}`;
}

export async function loadCase(db: Executor, id: number): Promise<Case | undefined> {
	const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
	return row ? caseFromRow(row) : undefined;
}

/** Loads a case and, on PostgreSQL, locks its row until the transaction ends (SQLite: the
 * BEGIN IMMEDIATE transaction already holds the file's write lock). */
export async function lockCase(ctx: StoreContext, trx: Trx, id: number): Promise<Case> {
	let query = trx.selectFrom('cases').selectAll().where('id', '=', id);
	if (ctx.isPostgres) query = query.forUpdate();
	const row = await query.executeTakeFirst();
	if (!row) throw new MailCasesError('NOT_FOUND', `Case with id ${id} does not exist`);
	return caseFromRow(row);
}

/** `{YYYY}-{SEQ:6}` and `{YYYY}-{SEQ:7}` count on one counter, so changing the width cannot repeat numbers. */
export function counterScope(format: string, year: number): string {
	const canonical = format.replace(/\{SEQ(?::\d{1,2})?\}/, '{SEQ}');
	return formatHasYear(format) ? `${canonical}@${year}` : canonical;
}

function checkText(value: unknown, what: string): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') throw new MailCasesError('INVALID_INPUT', `${what} must be text`);
	return value;
}

function checkStatus(value: unknown, what: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new MailCasesError('INVALID_INPUT', `${what}: status must be a non-empty text`);
	}
	return value.trim();
}

async function requireActiveWorkflow(trx: Executor, workflowId: number) {
	const workflow = await loadWorkflow(trx, workflowId);
	if (!workflow) throw new MailCasesError('NOT_FOUND', `Workflow ${workflowId} does not exist`);
	if (!workflow.active) {
		throw new MailCasesError(
			'WORKFLOW_INACTIVE',
			`Workflow ${workflow.id} ("${workflow.name}") is inactive; only active workflows can start cases. Activate it or choose another workflow.`,
		);
	}
	return workflow;
}

async function requireOrgUnit(trx: Executor, id: number, what: string): Promise<void> {
	if (!Number.isInteger(id))
		throw new MailCasesError('INVALID_INPUT', `${what}: a responsible org unit / role is required`);
	const row = await trx
		.selectFrom('org_units')
		.select('id')
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) throw new MailCasesError('NOT_FOUND', `${what}: org unit ${id} does not exist`);
}

async function requireContact(trx: Executor, id: number, what: string): Promise<void> {
	const row = await trx.selectFrom('contacts').select('id').where('id', '=', id).executeTakeFirst();
	if (!row) throw new MailCasesError('NOT_FOUND', `${what}: contact ${id} does not exist`);
}

/**
 * Creates a case inside the caller's transaction. The number comes from a counter row per
 * (format, year) that is incremented in this same transaction: PostgreSQL locks the row
 * (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) until commit, SQLite holds the write lock
 * since BEGIN IMMEDIATE. So concurrent creators queue on the counter, a rolled-back creation
 * gives its number back, and numbers are gap-free and unique. A number that exists already
 * (e.g. made under an older format that renders the same text) is skipped.
 */
export async function insertCase(ctx: StoreContext, trx: Trx, input: CaseInput): Promise<Case> {
	const workflow = await requireActiveWorkflow(trx, input.workflowId);
	const what = `New case of workflow "${workflow.name}"`;
	await requireOrgUnit(trx, input.responsibleOrgUnitId, what);
	const fields = validateFieldValues(workflow, input.fields, what);
	const requester = checkText(input.requesterAddress, `${what}: requester address`)?.trim() || null;
	let contactId: number | null = null;
	if (input.contactId === undefined) {
		if (requester) contactId = (await findFirstContactByEmail(trx, requester))?.id ?? null;
	} else if (input.contactId !== null) {
		await requireContact(trx, input.contactId, what);
		contactId = input.contactId;
	}
	const now = ctx.now();
	const year = now.getFullYear();
	const format = ctx.config.caseNumberFormat;
	const scope = counterScope(format, year);
	for (let attempt = 0; attempt < 1000; attempt++) {
		const counter = await trx
			.insertInto('case_number_counters')
			.values({ scope, last_seq: 1 })
			.onConflict((oc) =>
				oc
					.column('scope')
					.doUpdateSet((eb) => ({ last_seq: eb('case_number_counters.last_seq', '+', 1) })),
			)
			.returning('last_seq')
			.executeTakeFirstOrThrow();
		const number = formatCaseNumber(format, year, Number(counter.last_seq));
		const row = await trx
			.insertInto('cases')
			.values({
				case_number: number,
				workflow_id: workflow.id,
				title: checkText(input.title, `${what}: title`),
				status: input.status === undefined ? 'open' : checkStatus(input.status, what),
				fields: toJson(fields),
				responsible_org_unit_id: input.responsibleOrgUnitId,
				contact_id: contactId,
				requester_address: requester,
				created_at: now,
				updated_at: now,
			})
			.onConflict((oc) => oc.column('case_number').doNothing())
			.returningAll()
			.executeTakeFirst();
		if (row) return caseFromRow(row);
	}
	throw new MailCasesError(
		'CONFLICT',
		`Could not find a free case number for format "${format}" in ${year}`,
	);
}

function mb(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function prepareAttachments(
	ctx: StoreContext,
	label: string,
	attachments: AttachmentInput[] | undefined,
) {
	if (!attachments || attachments.length === 0) return [];
	if (!Array.isArray(attachments))
		throw new MailCasesError('INVALID_INPUT', `${label}: attachments must be a list`);
	let total = 0;
	const rows = attachments.map((a, position) => {
		const fileName =
			typeof a?.fileName === 'string' && a.fileName.trim()
				? a.fileName
				: `attachment-${position + 1}`;
		const content =
			a.content === null || a.content === undefined
				? null
				: Buffer.isBuffer(a.content)
					? a.content
					: Buffer.from(a.content);
		const size = content ? content.length : a.size;
		if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`${label}: attachment "${fileName}" needs content or a size`,
			);
		}
		if (content) total += content.length;
		return {
			position,
			file_name: fileName,
			content_type:
				(typeof a.contentType === 'string' && a.contentType.trim()) || 'application/octet-stream',
			size,
			content_id: normalizeMessageId(a.contentId ?? undefined) ?? null,
			content,
		};
	});
	const limit = ctx.config.maxAttachmentBytesPerMail;
	if (total > limit) {
		throw new MailCasesError(
			'MESSAGE_TOO_LARGE',
			`${label}: the attachments of this mail have ${mb(total)} (${total} bytes), more than the store's limit of ${mb(limit)} (${limit} bytes, setting maxAttachmentBytesPerMail). Raise the limit, or store the attachments without content.`,
			{ details: { bytes: total, limit } },
		);
	}
	return rows;
}

function addressList(value: unknown, what: string): string[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw new MailCasesError('INVALID_INPUT', `${what} must be a list of addresses`);
	}
	return value as string[];
}

export async function loadAttachments(
	db: Executor,
	activityIds: number[],
): Promise<Map<number, Attachment[]>> {
	const map = new Map<number, Attachment[]>(activityIds.map((id) => [id, []]));
	if (activityIds.length === 0) return map;
	const rows = await db
		.selectFrom('attachments')
		.select((eb) => [
			'id',
			'activity_id',
			'position',
			'file_name',
			'content_type',
			'size',
			'content_id',
			eb('content', 'is not', null).as('has_content'),
		])
		.where('activity_id', 'in', activityIds)
		.orderBy('activity_id')
		.orderBy('position')
		.execute();
	for (const row of rows)
		map.get(Number(row.activity_id))?.push(attachmentFromRow(row as AttachmentRow));
	return map;
}

export async function loadActivity(db: Executor, id: number): Promise<Activity | undefined> {
	const row = await db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row) return undefined;
	const attachments = await loadAttachments(db, [id]);
	return activityFromRow(row, attachments.get(id) ?? []);
}

/**
 * Records a mail's Message-ID as belonging to a case, so replies that quote it in
 * In-Reply-To / References find the case. Recording it twice for the same case is fine;
 * for another case it is a CONFLICT.
 */
export async function linkMessageId(
	ctx: StoreContext,
	trx: Executor,
	c: Case,
	messageId: string,
): Promise<void> {
	const id = normalizeMessageId(messageId);
	if (!id) throw new MailCasesError('INVALID_INPUT', `${caseLabel(c)}: empty Message-ID`);
	const inserted = await trx
		.insertInto('case_message_ids')
		.values({ message_id: id, case_id: c.id, created_at: ctx.now() })
		.onConflict((oc) => oc.column('message_id').doNothing())
		.returning('case_id')
		.executeTakeFirst();
	if (inserted) return;
	const existing = await trx
		.selectFrom('case_message_ids')
		.innerJoin('cases', 'cases.id', 'case_message_ids.case_id')
		.select(['cases.id', 'cases.case_number'])
		.where('case_message_ids.message_id', '=', id)
		.executeTakeFirst();
	if (existing && Number(existing.id) !== c.id) {
		throw new MailCasesError(
			'CONFLICT',
			`Message-ID <${id}> is already recorded for case ${existing.case_number}; it cannot also belong to ${caseLabel(c)}`,
		);
	}
}

/**
 * Inserts a mail or note activity with its attachments and moves the case's updated_at
 * (skipped for a case created in the same transaction). Returns the activity and the case.
 */
export async function insertActivity(
	ctx: StoreContext,
	trx: Trx,
	c: Case,
	kind: 'incoming_mail' | 'outgoing_mail' | 'note',
	mail: MailActivityInput & { author?: string | null },
	options: { touchCase?: boolean } = {},
): Promise<{ activity: Activity; case: Case }> {
	const label = caseLabel(c);
	if (!mail || typeof mail !== 'object')
		throw new MailCasesError('INVALID_INPUT', `${label}: activity content is missing`);
	const attachments = prepareAttachments(ctx, label, mail.attachments);
	const messageId = normalizeMessageId(mail.messageId) ?? null;
	const at = mail.at instanceof Date && !Number.isNaN(mail.at.getTime()) ? mail.at : ctx.now();
	const from = checkText(
		kind === 'note' ? (mail.author ?? mail.from) : mail.from,
		`${label}: from`,
	);
	const row = await trx
		.insertInto('activities')
		.values({
			case_id: c.id,
			kind,
			message_id: messageId,
			from_address: from,
			to_addresses: toJson(addressList(mail.to, `${label}: to`)),
			cc_addresses: toJson(addressList(mail.cc, `${label}: cc`)),
			subject: checkText(mail.subject, `${label}: subject`),
			text_body: checkText(mail.text, `${label}: text`),
			html_body: checkText(mail.html, `${label}: html`),
			field_name: null,
			old_value: null,
			new_value: null,
			changed_by: null,
			created_at: at,
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	const activityId = Number(row.id);
	const stored: Attachment[] = [];
	for (const a of attachments) {
		// one statement per attachment: large contents are not packed into one huge statement
		const inserted = await trx
			.insertInto('attachments')
			.values({ activity_id: activityId, ...a })
			.returning('id')
			.executeTakeFirstOrThrow();
		stored.push({
			id: Number(inserted.id),
			activityId,
			fileName: a.file_name,
			contentType: a.content_type,
			size: a.size,
			contentId: a.content_id,
			hasContent: a.content !== null,
		});
	}
	if (kind === 'outgoing_mail' && messageId) await linkMessageId(ctx, trx, c, messageId);
	let current = c;
	if (options.touchCase !== false) {
		const touched = await trx
			.updateTable('cases')
			.set({ updated_at: ctx.now() })
			.where('id', '=', c.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		current = caseFromRow(touched);
	}
	return { activity: activityFromRow(row, stored), case: current };
}

async function insertFieldChange(
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

/**
 * Applies an update to a locked case and records one field_change activity per value that
 * really changed (old value, new value, who). Form fields keep their names; the case's own
 * properties are recorded as @status, @responsibleOrgUnitId, @contactId, @title.
 */
export async function applyCaseUpdate(
	ctx: StoreContext,
	trx: Trx,
	current: Case,
	update: CaseUpdate,
	changedBy: string | null,
): Promise<{ case: Case; changes: Activity[] }> {
	const label = caseLabel(current);
	if (!update || typeof update !== 'object')
		throw new MailCasesError('INVALID_INPUT', `${label}: nothing to update`);
	const changes: Array<[string, FieldValue | undefined, FieldValue | undefined]> = [];
	const set: Record<string, unknown> = {};

	if (update.fields !== undefined) {
		const workflow = await loadWorkflow(trx, current.workflowId);
		if (!workflow)
			throw new MailCasesError(
				'NOT_FOUND',
				`${label}: workflow ${current.workflowId} does not exist`,
			);
		const values = validateFieldValues(workflow, update.fields, label);
		const fields = { ...current.fields };
		for (const [name, value] of Object.entries(values)) {
			if (sameValue(fields[name], value)) continue;
			changes.push([name, fields[name], value]);
			fields[name] = value;
		}
		set.fields = toJson(fields);
	}
	if (update.status !== undefined) {
		const status = checkStatus(update.status, label);
		if (status !== current.status) {
			changes.push([STATUS_FIELD, current.status, status]);
			set.status = status;
		}
	}
	if (
		update.responsibleOrgUnitId !== undefined &&
		update.responsibleOrgUnitId !== current.responsibleOrgUnitId
	) {
		await requireOrgUnit(trx, update.responsibleOrgUnitId, label);
		changes.push([RESPONSIBLE_FIELD, current.responsibleOrgUnitId, update.responsibleOrgUnitId]);
		set.responsible_org_unit_id = update.responsibleOrgUnitId;
	}
	if (update.contactId !== undefined && update.contactId !== current.contactId) {
		if (update.contactId !== null) await requireContact(trx, update.contactId, label);
		changes.push([CONTACT_FIELD, current.contactId, update.contactId]);
		set.contact_id = update.contactId;
	}
	if (update.title !== undefined) {
		const title = checkText(update.title, `${label}: title`);
		if (title !== current.title) {
			changes.push([TITLE_FIELD, current.title, title]);
			set.title = title;
		}
	}
	if (update.requesterAddress !== undefined) {
		set.requester_address =
			checkText(update.requesterAddress, `${label}: requester address`)?.trim() || null;
	}
	if (changes.length === 0 && set.requester_address === undefined)
		return { case: current, changes: [] };

	const row = await trx
		.updateTable('cases')
		.set({ ...set, updated_at: ctx.now() })
		.where('id', '=', current.id)
		.returningAll()
		.executeTakeFirstOrThrow();
	const activities: Activity[] = [];
	for (const [name, oldValue, newValue] of changes) {
		activities.push(
			await insertFieldChange(ctx, trx, current.id, name, oldValue, newValue, changedBy),
		);
	}
	return { case: caseFromRow(row), changes: activities };
}
