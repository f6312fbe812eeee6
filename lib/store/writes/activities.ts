import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { bareMessageId } from '../../mail/message-id';
import {
	activityFromRow,
	attachmentFromRow,
	caseFromRow,
	toJson,
	type AttachmentRow,
} from '../rows';
import type {
	Activity,
	ActivityOutcome,
	Attachment,
	AttachmentInput,
	Case,
	MailActivityInput,
	OutgoingPurpose,
} from '../types';
import { caseLabel } from './cases';
import { checkText } from './checks';
import { linkMessageId } from './message-ids';
import type { Trx } from './transaction';

/** Tables `activities` (mails and notes) and `attachments`. */

/** #14.1: the columns purpose, outcome and outcome_detail of an activity. */
export interface ActivityOutcomeColumns {
	purpose?: OutgoingPurpose | null;
	outcome?: ActivityOutcome | null;
	outcomeDetail?: string | null;
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
			content_id: bareMessageId(a.contentId ?? undefined) ?? null,
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
 * Inserts a mail or note activity with its attachments and moves the case's updated_at
 * (skipped for a case created in the same transaction). Returns the activity and the case.
 */
export async function insertActivity(
	ctx: StoreContext,
	trx: Trx,
	c: Case,
	kind: 'incoming_mail' | 'outgoing_mail' | 'note',
	mail: MailActivityInput & { author?: string | null },
	options: {
		touchCase?: boolean;
		/** #14.1: purpose, outcome and its words (checked by the caller). */
		outcome?: ActivityOutcomeColumns;
		/** An outgoing mail's Message-ID is linked to the case unless false (a failed send). */
		linkMessageId?: boolean;
	} = {},
): Promise<{ activity: Activity; case: Case }> {
	const label = caseLabel(c);
	if (!mail || typeof mail !== 'object')
		throw new MailCasesError('INVALID_INPUT', `${label}: activity content is missing`);
	const attachments = prepareAttachments(ctx, label, mail.attachments);
	const messageId = bareMessageId(mail.messageId) ?? null;
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
			purpose: options.outcome?.purpose ?? null,
			outcome: options.outcome?.outcome ?? null,
			outcome_detail: options.outcome?.outcomeDetail ?? null,
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
	if (kind === 'outgoing_mail' && messageId && options.linkMessageId !== false)
		await linkMessageId(ctx, trx, c, messageId);
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
