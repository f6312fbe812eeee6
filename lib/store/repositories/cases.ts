import { sql } from 'kysely';
import { MailCasesError } from '../../errors';
import { applyCaseUpdate } from '../writes/case-update';
import { caseLabel, insertCase, loadCase, lockCase } from '../writes/cases';
import { linkMessageId } from '../writes/message-ids';
import type { StoreContext } from '../context';
import { bareMessageId } from '../../mail/message-id';
import { caseFromRow } from '../rows';
import type { Activity, Case, CaseFilter, CaseInput, CaseUpdate } from '../types';

const MAX_THREAD_IDS = 500;

/** Message-IDs to look up: normalised, distinct, at most MAX_THREAD_IDS. */
function threadIds(ids: readonly string[]): string[] {
	return [...new Set(ids.map((id) => bareMessageId(id)).filter((id): id is string => !!id))].slice(
		0,
		MAX_THREAD_IDS,
	);
}

/** Cases: creation (numbered), lookup by id / number / thread Message-IDs, updates. */
export class CaseRepository {
	constructor(private readonly ctx: StoreContext) {}

	/** Creates a case outside any mail (for a case from mail use ledger.createCaseFromMail). */
	async create(input: CaseInput): Promise<Case> {
		return await this.ctx.transaction('create a case', (trx) => insertCase(this.ctx, trx, input));
	}

	async get(id: number): Promise<Case | undefined> {
		return await this.ctx.run(`read case ${id}`, (db) => loadCase(db, id));
	}

	/** The case with this number (exact match, e.g. `2026-000123`). */
	async getByNumber(number: string): Promise<Case | undefined> {
		return await this.ctx.run(`read case ${number}`, async (db) => {
			const row = await db
				.selectFrom('cases')
				.selectAll()
				.where('case_number', '=', number.trim())
				.executeTakeFirst();
			return row ? caseFromRow(row) : undefined;
		});
	}

	/** Cases, newest first. */
	async list(filter: CaseFilter = {}): Promise<Case[]> {
		const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
		return await this.ctx.run('list cases', async (db) => {
			let query = db.selectFrom('cases').selectAll();
			if (filter.status !== undefined) query = query.where('status', '=', filter.status);
			if (filter.workflowId !== undefined)
				query = query.where('workflow_id', '=', filter.workflowId);
			if (filter.responsibleOrgUnitId !== undefined) {
				query = query.where('responsible_org_unit_id', '=', filter.responsibleOrgUnitId);
			}
			if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId);
			const rows = await query
				.orderBy('id', 'desc')
				.limit(limit)
				.offset(Math.max(filter.offset ?? 0, 0))
				.execute();
			return rows.map(caseFromRow);
		});
	}

	/**
	 * #18 One page of the case board: cases with this status (default `open`), of one org unit
	 * or all, the most recently active first (`updatedAt` moves with every mail, note and field
	 * change; ties: newest case first), with the number of all matching cases.
	 */
	async board(
		filter: {
			status?: string;
			responsibleOrgUnitId?: number;
			limit?: number;
			offset?: number;
		} = {},
	): Promise<{ cases: Case[]; total: number }> {
		const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1000);
		const status = filter.status ?? 'open';
		return await this.ctx.run('list the case board', async (db) => {
			let query = db.selectFrom('cases').where('status', '=', status);
			if (filter.responsibleOrgUnitId !== undefined)
				query = query.where('responsible_org_unit_id', '=', filter.responsibleOrgUnitId);
			const rows = await query
				.selectAll()
				.orderBy('updated_at', 'desc')
				.orderBy('id', 'desc')
				.limit(limit)
				.offset(Math.max(filter.offset ?? 0, 0))
				.execute();
			const counted = await query.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
			return { cases: rows.map(caseFromRow), total: Number(counted.n) };
		});
	}

	async count(): Promise<number> {
		return await this.ctx.run('count cases', async (db) => {
			const row = await db
				.selectFrom('cases')
				.select(sql<number>`count(*)`.as('n'))
				.executeTakeFirstOrThrow();
			return Number(row.n);
		});
	}

	/**
	 * Updates a case in one transaction and records a field_change activity per changed value
	 * with `changedBy` (e.g. the sender address). Returns the case and the recorded changes.
	 */
	/**
	 * Deletes a case with its activities, attachments and Message-ID links in one transaction.
	 * The processed-mail ledger keeps its entries (their case id becomes null), so the case's
	 * mails are not read in again as new cases.
	 */
	async delete(id: number): Promise<Case> {
		return await this.ctx.transaction(`delete case ${id}`, async (trx) => {
			const current = await lockCase(this.ctx, trx, id);
			await trx.deleteFrom('cases').where('id', '=', id).execute();
			return current;
		});
	}

	async update(
		id: number,
		update: CaseUpdate,
		options: { changedBy?: string | null } = {},
	): Promise<{ case: Case; changes: Activity[] }> {
		return await this.ctx.transaction(`update case ${id}`, async (trx) => {
			const current = await lockCase(this.ctx, trx, id);
			return await applyCaseUpdate(this.ctx, trx, current, update, options.changedBy ?? null);
		});
	}

	/**
	 * Records the Message-ID of a mail we sent for a case (notification, acknowledgement), so a
	 * reply quoting it in In-Reply-To / References finds the case (R-PLUS-4). Outgoing-mail
	 * activities with a Message-ID are recorded automatically.
	 */
	async recordOutgoingMessageId(caseId: number, messageId: string): Promise<void> {
		await this.ctx.transaction(`record Message-ID for case ${caseId}`, async (trx) => {
			const c = await loadCase(trx, caseId);
			if (!c) throw new MailCasesError('NOT_FOUND', `Case with id ${caseId} does not exist`);
			await linkMessageId(this.ctx, trx, c, messageId);
		});
	}

	/** True when we sent a mail with this Message-ID (a mail of ours coming back, R-PLUS-3). */
	async isOutgoingMessageId(messageId: string): Promise<boolean> {
		const id = bareMessageId(messageId);
		if (!id) return false;
		return await this.ctx.run('look up a Message-ID', async (db) => {
			const row = await db
				.selectFrom('case_message_ids')
				.select('case_id')
				.where('message_id', '=', id)
				.executeTakeFirst();
			return row !== undefined;
		});
	}

	/**
	 * The case a reply belongs to, from its In-Reply-To / References ids (with or without <>).
	 * Looks at our outgoing Message-IDs and at the Message-IDs of mails stored as activities.
	 * `ids` in order of preference (In-Reply-To first, then References newest first): the
	 * case of the first id that matches wins. Undefined when none matches.
	 */
	async findCaseByMessageIds(ids: readonly string[]): Promise<Case | undefined> {
		const wanted = threadIds(ids);
		if (wanted.length === 0) return undefined;
		return await this.ctx.run('find a case by Message-ID', async (db) => {
			const outgoing = await db
				.selectFrom('case_message_ids')
				.select(['message_id', 'case_id'])
				.where('message_id', 'in', wanted)
				.execute();
			const incoming = await db
				.selectFrom('activities')
				.select(['message_id', 'case_id'])
				.where('message_id', 'in', wanted)
				.orderBy('id')
				.execute();
			const byId = new Map<string, number>();
			for (const row of [...outgoing, ...incoming]) {
				if (row.message_id !== null && !byId.has(row.message_id))
					byId.set(row.message_id, Number(row.case_id));
			}
			for (const id of wanted) {
				const caseId = byId.get(id);
				if (caseId !== undefined) return await loadCase(db, caseId);
			}
			return undefined;
		});
	}

	/**
	 * Issue #11.7: ids of the cases whose mails WE sent carry one of these Message-IDs (only
	 * our outgoing ids, not those of stored incoming mails, which their senders chose).
	 */
	async casesOfSentMessageIds(ids: readonly string[]): Promise<number[]> {
		const wanted = threadIds(ids);
		if (wanted.length === 0) return [];
		return await this.ctx.run('find the cases of our sent Message-IDs', async (db) => {
			const rows = await db
				.selectFrom('case_message_ids')
				.select('case_id')
				.where('message_id', 'in', wanted)
				.execute();
			return [...new Set(rows.map((r) => Number(r.case_id)))];
		});
	}

	/** A case by id or a NOT_FOUND error naming it. */
	async require(id: number): Promise<Case> {
		const c = await this.get(id);
		if (!c) throw new MailCasesError('NOT_FOUND', `Case with id ${id} does not exist`);
		return c;
	}

	/** A case by number or a NOT_FOUND error naming it. */
	async requireByNumber(number: string): Promise<Case> {
		const c = await this.getByNumber(number);
		if (!c) throw new MailCasesError('NOT_FOUND', `Case ${number} does not exist`);
		return c;
	}

	/** For messages: "Case 2026-000123". */
	static label(c: Case): string {
		return caseLabel(c);
	}
}
