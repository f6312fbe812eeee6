import type { Transaction } from 'kysely';
import { MailCasesError } from '../../errors';
import { insertActivity, loadActivity } from '../writes/activities';
import { applyCaseUpdate } from '../writes/case-update';
import { insertCase, loadCase, lockCase } from '../writes/cases';
import type { StoreContext } from '../context';
import type { Database, Executor } from '../db-types';
import { assertMessageKey } from '../message-keys';
import { ledgerFromRow } from '../rows';
import type {
	AddMailToCaseInput,
	CreateCaseFromMailInput,
	LedgerEntry,
	LedgerOutcome,
	MailIntakeResult,
	RecordOutcomeInput,
} from '../types';

type Trx = Transaction<Database>;

async function loadEntry(db: Executor, key: string): Promise<LedgerEntry | undefined> {
	const row = await db
		.selectFrom('processed_messages')
		.selectAll()
		.where('message_key', '=', key)
		.executeTakeFirst();
	return row ? ledgerFromRow(row) : undefined;
}

/**
 * Claims a message key for this transaction: INSERT ... ON CONFLICT DO NOTHING on the primary
 * key. Returns true when this transaction inserted the row. When another transaction inserted it
 * and has not committed yet, PostgreSQL waits for it (and then reports the conflict if it
 * committed); on SQLite the write lock already serialises. No read-then-write race.
 */
async function claim(
	ctx: StoreContext,
	trx: Trx,
	key: string,
	outcome: LedgerOutcome,
	detail: string | null = null,
) {
	const row = await trx
		.insertInto('processed_messages')
		.values({
			message_key: key,
			outcome,
			case_id: null,
			activity_id: null,
			detail,
			processed_at: ctx.now(),
		})
		.onConflict((oc) => oc.column('message_key').doNothing())
		.returning('message_key')
		.executeTakeFirst();
	return row !== undefined;
}

async function replay(trx: Executor, key: string): Promise<MailIntakeResult> {
	const entry = await loadEntry(trx, key);
	if (!entry)
		throw new MailCasesError('INTERNAL', `Ledger entry for ${key} vanished during a replay`);
	return {
		replayed: true,
		entry,
		case: entry.caseId !== null ? await loadCase(trx, entry.caseId) : undefined,
		activity: entry.activityId !== null ? await loadActivity(trx, entry.activityId) : undefined,
		fieldChanges: [],
	};
}

async function complete(
	trx: Trx,
	key: string,
	caseId: number | null,
	activityId: number | null,
): Promise<LedgerEntry> {
	const row = await trx
		.updateTable('processed_messages')
		.set({ case_id: caseId, activity_id: activityId })
		.where('message_key', '=', key)
		.returningAll()
		.executeTakeFirstOrThrow();
	return ledgerFromRow(row);
}

/**
 * The processed-message ledger (R-PLUS-2) and the mail-driven writes that go through it.
 * Each method is ONE transaction that claims the mail's key (unique constraint), does its
 * writes and records the result. Processing the same mail again — after a crash, by a retry,
 * or by another worker at the same moment — writes nothing and returns the earlier result
 * with `replayed: true`.
 */
export class LedgerRepository {
	constructor(private readonly ctx: StoreContext) {}

	/** The ledger entry of a mail, if it was processed. */
	async lookup(messageKey: string): Promise<LedgerEntry | undefined> {
		assertMessageKey(messageKey);
		return await this.ctx.run('read the ledger', (db) => loadEntry(db, messageKey));
	}

	/** R-PROC-6b: creates a case from a mail, the mail as its first activity. */
	async createCaseFromMail(input: CreateCaseFromMailInput): Promise<MailIntakeResult> {
		assertMessageKey(input?.messageKey);
		const key = input.messageKey;
		return await this.ctx.transaction(`create a case from mail ${key}`, async (trx) => {
			if (!(await claim(this.ctx, trx, key, 'case_created'))) return await replay(trx, key);
			const created = await insertCase(this.ctx, trx, {
				...input,
				requesterAddress: input.requesterAddress ?? input.mail?.from ?? null,
			});
			const { activity } = await insertActivity(
				this.ctx,
				trx,
				created,
				'incoming_mail',
				input.mail,
				{
					touchCase: false,
				},
			);
			const entry = await complete(trx, key, created.id, activity.id);
			return { replayed: false, entry, case: created, activity, fieldChanges: [] };
		});
	}

	/**
	 * R-PROC-1/2/5: adds a mail to a case as an activity and applies its `Field = Value`
	 * updates (recorded as field changes by `changedBy`, default the sender).
	 */
	async addMailToCase(input: AddMailToCaseInput): Promise<MailIntakeResult> {
		assertMessageKey(input?.messageKey);
		const key = input.messageKey;
		const kind = input.kind ?? 'incoming_mail';
		if (kind !== 'incoming_mail' && kind !== 'outgoing_mail') {
			throw new MailCasesError(
				'INVALID_INPUT',
				`A mail activity is incoming_mail or outgoing_mail, got "${String(kind)}"`,
			);
		}
		return await this.ctx.transaction(`add mail ${key} to case ${input.caseId}`, async (trx) => {
			if (!(await claim(this.ctx, trx, key, 'activity_added'))) return await replay(trx, key);
			const locked = await lockCase(this.ctx, trx, input.caseId);
			const inserted = await insertActivity(this.ctx, trx, locked, kind, input.mail);
			const activity = inserted.activity;
			let c = inserted.case;
			let fieldChanges: MailIntakeResult['fieldChanges'] = [];
			if (input.fieldUpdates && Object.keys(input.fieldUpdates).length > 0) {
				const changedBy = input.changedBy ?? input.mail?.from ?? null;
				({ case: c, changes: fieldChanges } = await applyCaseUpdate(
					this.ctx,
					trx,
					c,
					{ fields: input.fieldUpdates },
					changedBy,
				));
			}
			const entry = await complete(trx, key, c.id, activity.id);
			return { replayed: false, entry, case: c, activity, fieldChanges };
		});
	}

	/**
	 * Removes the entry of a mail that was forwarded, ignored or quarantined, so that it is
	 * processed again when it comes back (e.g. a quarantined mail the user moved back to the
	 * inbox). Entries that created a case or an activity stay: CONFLICT. Returns false when
	 * there was no entry.
	 */
	async forget(messageKey: string): Promise<boolean> {
		assertMessageKey(messageKey);
		return await this.ctx.transaction(`forget mail ${messageKey}`, async (trx) => {
			const entry = await loadEntry(trx, messageKey);
			if (!entry) return false;
			if (entry.outcome === 'case_created' || entry.outcome === 'activity_added') {
				const c = entry.caseId !== null ? await loadCase(trx, entry.caseId) : undefined;
				throw new MailCasesError(
					'CONFLICT',
					`Mail ${messageKey} was stored in case ${c?.number ?? '(deleted)'}; its ledger entry stays so the mail is never stored twice`,
				);
			}
			await trx.deleteFrom('processed_messages').where('message_key', '=', messageKey).execute();
			return true;
		});
	}

	/**
	 * Records that a mail was handled without a case write (R-PROC-6a forwarded, R-PROC-7
	 * ignored, R-PLUS-1 quarantined). Returns `recorded: false` and the earlier entry when the
	 * mail was in the ledger already.
	 */
	async recordOutcome(
		input: RecordOutcomeInput,
	): Promise<{ recorded: boolean; entry: LedgerEntry }> {
		assertMessageKey(input?.messageKey);
		if (!['forwarded', 'ignored', 'quarantined'].includes(input.outcome)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Ledger outcome must be forwarded, ignored or quarantined, got "${String(input.outcome)}"`,
			);
		}
		const key = input.messageKey;
		return await this.ctx.transaction(`record mail ${key} as ${input.outcome}`, async (trx) => {
			if (!(await claim(this.ctx, trx, key, input.outcome, input.detail ?? null))) {
				return { recorded: false, entry: (await loadEntry(trx, key))! };
			}
			if (input.caseId !== undefined && input.caseId !== null) {
				const c = await loadCase(trx, input.caseId);
				if (!c)
					throw new MailCasesError('NOT_FOUND', `Case with id ${input.caseId} does not exist`);
			}
			return { recorded: true, entry: await complete(trx, key, input.caseId ?? null, null) };
		});
	}
}
