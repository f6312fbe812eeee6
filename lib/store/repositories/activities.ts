import { MailCasesError } from '../../errors';
import { insertActivity, loadActivity, loadAttachments } from '../writes/activities';
import { lockCase } from '../writes/cases';
import type { StoreContext } from '../context';
import { activityFromRow } from '../rows';
import type { Activity, ActivityInput, OutgoingMailRecord, OutgoingPurpose } from '../types';
import { bareMessageId } from '../../mail/message-id';
import { checkClaimKey, finishClaim } from './send-claims';

const KINDS = ['incoming_mail', 'outgoing_mail', 'note'] as const;
const PURPOSES: readonly OutgoingPurpose[] = ['acknowledgement', 'notification', 'forward', 'mail'];
const OUTGOING_OUTCOMES = ['sent', 'rejected', 'failed'] as const;

function addresses(value: unknown, what: string): string[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
		throw new MailCasesError('INVALID_INPUT', `${what} must be a list of addresses (text)`);
	}
	return value as string[];
}

/** #14.1: checks an outgoing mail record; returns it with the bare Message-ID. */
function checkOutgoing(input: OutgoingMailRecord): OutgoingMailRecord {
	if (!input || typeof input !== 'object')
		throw new MailCasesError('INVALID_INPUT', 'An outgoing mail record is missing');
	const label = `Outgoing mail record for case ${String(input.caseId)}`;
	if (!Number.isInteger(input.caseId))
		throw new MailCasesError('INVALID_INPUT', `${label}: caseId must be a case id (a number)`);
	if (!PURPOSES.includes(input.purpose))
		throw new MailCasesError(
			'INVALID_INPUT',
			`${label}: purpose must be one of ${PURPOSES.join(', ')}, got ${JSON.stringify(input.purpose ?? null)}`,
		);
	if (!(OUTGOING_OUTCOMES as readonly string[]).includes(input.outcome))
		throw new MailCasesError(
			'INVALID_INPUT',
			`${label}: outcome must be one of ${OUTGOING_OUTCOMES.join(', ')}, got ${JSON.stringify(input.outcome ?? null)}`,
		);
	const messageId =
		typeof input.messageId === 'string' ? bareMessageId(input.messageId) : undefined;
	if (!messageId)
		throw new MailCasesError(
			'INVALID_INPUT',
			`${label}: the ${input.purpose} needs the Message-ID it was sent with`,
		);
	if (typeof input.from !== 'string' || input.from.trim() === '')
		throw new MailCasesError('INVALID_INPUT', `${label}: from must be the sender address`);
	const to = addresses(input.to, `${label}: to`);
	const cc = addresses(input.cc, `${label}: cc`);
	if (typeof input.subject !== 'string')
		throw new MailCasesError('INVALID_INPUT', `${label}: subject must be text (may be empty)`);
	for (const [name, value] of [
		['text', input.text],
		['detail', input.detail],
	] as const) {
		if (value !== undefined && value !== null && typeof value !== 'string')
			throw new MailCasesError('INVALID_INPUT', `${label}: ${name} must be text or null`);
	}
	if (input.at !== undefined && !(input.at instanceof Date && !Number.isNaN(input.at.getTime())))
		throw new MailCasesError('INVALID_INPUT', `${label}: at must be a valid Date`);
	if (input.claimKey !== undefined) checkClaimKey(input.claimKey);
	return { ...input, messageId, to, cc, detail: input.detail ?? null, text: input.text ?? null };
}

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
	 * Message-ID is linked to the case (replies find it, a send once is not repeated); not for a
	 * failed one (it may be sent again). A claim (#15.2) named in the record is marked done in
	 * the same transaction. One transaction; the case is locked meanwhile.
	 *
	 * Recording a sent or rejected mail again (the same Message-ID on the same case, e.g. after
	 * a run repeated the send when it crashed before it could record it) writes no second
	 * activity: the earlier one is returned.
	 */
	async recordOutgoing(input: OutgoingMailRecord): Promise<Activity> {
		const record = checkOutgoing(input);
		return await this.ctx.transaction(
			`record the ${record.purpose} ${record.messageId} on case ${record.caseId}`,
			async (trx) => {
				const c = await lockCase(this.ctx, trx, record.caseId);
				let activity: Activity | undefined;
				if (record.outcome !== 'failed') {
					const earlier = await trx
						.selectFrom('activities')
						.select('id')
						.where('case_id', '=', c.id)
						.where('kind', '=', 'outgoing_mail')
						.where('message_id', '=', record.messageId)
						.where('outcome', 'in', ['sent', 'rejected', 'bounced'])
						.orderBy('id')
						.executeTakeFirst();
					if (earlier) activity = await loadActivity(trx, Number(earlier.id));
				}
				if (!activity) {
					activity = (
						await insertActivity(
							this.ctx,
							trx,
							c,
							'outgoing_mail',
							{
								messageId: record.messageId,
								from: record.from,
								to: record.to,
								cc: record.cc,
								subject: record.subject,
								text: record.text,
								at: record.at,
							},
							{
								outcome: {
									purpose: record.purpose,
									outcome: record.outcome,
									outcomeDetail: record.detail,
								},
								linkMessageId: record.outcome !== 'failed',
							},
						)
					).activity;
				}
				if (record.claimKey !== undefined)
					await finishClaim(this.ctx, trx, record.claimKey, record.messageId);
				return activity;
			},
		);
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
