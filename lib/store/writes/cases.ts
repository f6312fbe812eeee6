import { formatCaseNumber, formatHasYear } from '../case-number-format';
import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { validateFieldValues } from '../field-values';
import { findFirstContactByEmail } from '../repositories/contacts';
import { caseFromRow, toJson } from '../rows';
import type { Case, CaseInput } from '../types';
import {
	checkStatus,
	checkText,
	requireActiveWorkflow,
	requireContact,
	requireOrgUnit,
} from './checks';
import type { Trx } from './transaction';

/** Table `cases` (and its number counters): load, lock and create a case. */

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
