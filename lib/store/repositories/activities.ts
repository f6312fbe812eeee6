import { MailCasesError } from '../../errors';
import { insertActivity, loadActivity, loadAttachments } from '../writes/activities';
import { lockCase } from '../writes/cases';
import type { StoreContext } from '../context';
import { activityFromRow } from '../rows';
import type { Activity, ActivityInput, OutgoingMailRecord } from '../types';

const KINDS = ['incoming_mail', 'outgoing_mail', 'note'] as const;

/** The activity list of cases: mails in and out, notes, field changes; attachments. */
export class ActivityRepository {
	constructor(private readonly ctx: StoreContext) {}

	/**
	 * Adds a mail or note to a case. For an incoming mail from the mailbox use
	 * ledger.addMailToCase, which also guards against processing the mail twice.
	 * An outgoing mail's Message-ID is recorded for reply matching.
	 */
	async add(input: ActivityInput): Promise<Activity> {
		if (!KINDS.includes(input?.kind)) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`Activity kind must be one of ${KINDS.join(', ')} (field changes are recorded by cases.update), got "${String(input?.kind)}"`,
			);
		}
		return await this.ctx.transaction(`add ${input.kind} to case ${input.caseId}`, async (trx) => {
			const c = await lockCase(this.ctx, trx, input.caseId);
			return (await insertActivity(this.ctx, trx, c, input.kind, input)).activity;
		});
	}

	/**
	 * #14.1: a mail we sent (or tried to send) on a case, as an outgoing_mail activity with its
	 * purpose, recipients, subject, Message-ID and outcome. For sent and rejected mails the
	 * Message-ID is linked to the case (replies find it, a send once is not repeated); a claim
	 * (#15.2) named in the record is marked done in the same transaction.
	 */
	async recordOutgoing(input: OutgoingMailRecord): Promise<Activity> {
		void input;
		throw new MailCasesError('INTERNAL', 'recordOutgoing: not implemented yet');
	}

	async get(id: number): Promise<Activity | undefined> {
		return await this.ctx.run(`read activity ${id}`, (db) => loadActivity(db, id));
	}

	/** A case's activities in the order they were recorded (oldest first), attachments without content. */
	async listForCase(
		caseId: number,
		options: { limit?: number; offset?: number } = {},
	): Promise<Activity[]> {
		const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
		return await this.ctx.run(`list activities of case ${caseId}`, async (db) => {
			const rows = await db
				.selectFrom('activities')
				.selectAll()
				.where('case_id', '=', caseId)
				.orderBy('id')
				.limit(limit)
				.offset(Math.max(options.offset ?? 0, 0))
				.execute();
			const attachments = await loadAttachments(
				db,
				rows.map((r) => Number(r.id)),
			);
			return rows.map((row) => activityFromRow(row, attachments.get(Number(row.id)) ?? []));
		});
	}

	/**
	 * Issue #11.7: the From addresses of the incoming mails stored on a case (as stored,
	 * distinct, at most `limit`, default 500): the people who already take part in it.
	 */
	async senderAddresses(caseId: number, limit = 500): Promise<string[]> {
		return await this.ctx.run(`list the senders of case ${caseId}`, async (db) => {
			const rows = await db
				.selectFrom('activities')
				.select('from_address')
				.distinct()
				.where('case_id', '=', caseId)
				.where('kind', '=', 'incoming_mail')
				.where('from_address', 'is not', null)
				.limit(Math.min(Math.max(limit, 1), 5000))
				.execute();
			return rows.map((r) => r.from_address).filter((a): a is string => !!a);
		});
	}

	/** An attachment's content; null when only its metadata was stored. NOT_FOUND for an unknown id. */
	async getAttachmentContent(attachmentId: number): Promise<Buffer | null> {
		return await this.ctx.run(`read attachment ${attachmentId}`, async (db) => {
			const row = await db
				.selectFrom('attachments')
				.select('content')
				.where('id', '=', attachmentId)
				.executeTakeFirst();
			if (!row) throw new MailCasesError('NOT_FOUND', `Attachment ${attachmentId} does not exist`);
			return row.content === null
				? null
				: Buffer.isBuffer(row.content)
					? row.content
					: Buffer.from(row.content);
		});
	}
}
