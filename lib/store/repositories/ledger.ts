import type { Transaction } from 'kysely';
import { MailCasesError } from '../../errors';
import { insertActivity, loadActivity } from '../writes/activities';
import { applyCaseUpdate } from '../writes/case-update';
import { insertCase, loadCase, lockCase } from '../writes/cases';
import type { StoreContext } from '../context';
import type { Database, Executor } from '../db-types';
import { assertMessageKey, reusedMessageKey } from '../message-keys';
import { ledgerFromRow } from '../rows';
import { bareMessageId } from '../../mail/message-id';
import type {
	Activity,
	AddMailToCaseInput,
	Case,
	CreateCaseFromMailInput,
	DeliveryFailureInput,
	DeliveryFailureResult,
	FieldFeedbackInput,
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
	detail: string | null,
	contentDigest: string | null,
) {
	const row = await trx
		.insertInto('processed_messages')
		.values({
			message_key: key,
			outcome,
			case_id: null,
			activity_id: null,
			detail,
			content_digest: contentDigest,
			processed_at: ctx.now(),
		})
		.onConflict((oc) => oc.column('message_key').doNothing())
		.returning('message_key')
		.executeTakeFirst();
	return row !== undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function digestOf(value: string | null | undefined): string | null {
	if (value === undefined || value === null || value === '') return null;
	if (!SHA256_HEX.test(value))
		throw new MailCasesError(
			'INVALID_INPUT',
			`Content digest ${JSON.stringify(value.slice(0, 80))} is not valid: SHA-256 as 64 lower-case hex digits (the trigger item's contentDigest)`,
		);
	return value;
}

/** Where a mail with this key and digest belongs in the ledger. */
interface Resolved {
	/** Its own key: `key`, or the reused key when `key` belongs to another mail. */
	key: string;
	/** The entry of the other mail, when the mail reuses its Message-ID. */
	earlier?: LedgerEntry;
}

/**
 * #13.2: a key whose entry has another content digest is another mail's: this mail goes under
 * its reused key. Entries without digest (written before digests were kept) and mails without
 * digest count as the same mail, as before.
 */
async function resolve(db: Executor, key: string, digest: string | null): Promise<Resolved> {
	if (digest === null) return { key };
	const entry = await loadEntry(db, key);
	if (!entry || entry.contentDigest === null || entry.contentDigest === digest) return { key };
	return { key: reusedMessageKey(key, digest), earlier: entry };
}

/** Claims the mail's own key (see resolve); `claimed` false means it was processed before. */
async function claimMail(
	ctx: StoreContext,
	trx: Trx,
	key: string,
	digest: string | null,
	outcome: LedgerOutcome,
	detail: string | null = null,
): Promise<Resolved & { claimed: boolean }> {
	if (await claim(ctx, trx, key, outcome, detail, digest)) return { claimed: true, key };
	const resolved = await resolve(trx, key, digest);
	if (resolved.key === key) return { claimed: false, key };
	return { ...resolved, claimed: await claim(ctx, trx, resolved.key, outcome, detail, digest) };
}

/** #13.2: `messageIdReused` of a write, with the note it writes on the case. */
async function reuseOf(
	ctx: StoreContext,
	trx: Trx,
	c: Case,
	messageId: string | null | undefined,
	claimed: Resolved,
): Promise<Pick<MailIntakeResult, 'messageIdReused'>> {
	if (!claimed.earlier) return {};
	const note = await reuseNote(ctx, trx, c, messageId, claimed.earlier);
	return { messageIdReused: { earlier: claimed.earlier, note } };
}

/** #13.2: the note on a case that a mail was stored as a new mail despite its Message-ID. */
async function reuseNote(
	ctx: StoreContext,
	trx: Trx,
	c: Case,
	messageId: string | null | undefined,
	earlier: LedgerEntry,
): Promise<Activity> {
	const earlierCase = earlier.caseId !== null ? await loadCase(trx, earlier.caseId) : undefined;
	const where = earlierCase ? ` in case ${earlierCase.number}` : '';
	const id = bareMessageId(messageId);
	const text = `The Message-ID ${id ? `<${id}> ` : ''}of this mail was used before by a different mail (From, Date, Subject or body differ), processed ${earlier.processedAt.toISOString()}${where} as ${earlier.outcome}. This mail was stored as a new mail, not taken for a repetition of that one.`;
	const { activity } = await insertActivity(ctx, trx, c, 'note', { author: null, text });
	return activity;
}

/** #14.1: the author of notes the package writes itself (Field-line feedback). */
export const MAIL_CASES_AUTHOR = 'Mail Cases';

/** #14.1: the Field-line feedback of a mail as a note with outcome field_feedback. */
async function feedbackNote(
	ctx: StoreContext,
	trx: Trx,
	c: Case,
	feedback: FieldFeedbackInput | undefined,
): Promise<Pick<MailIntakeResult, 'fieldFeedback'>> {
	if (feedback === undefined || feedback === null) return {};
	if (typeof feedback !== 'object' || typeof feedback.text !== 'string' || !feedback.text.trim())
		throw new MailCasesError(
			'INVALID_INPUT',
			`Case ${c.number}: the Field-line feedback needs a text (or leave fieldFeedback out)`,
		);
	const { activity } = await insertActivity(
		ctx,
		trx,
		c,
		'note',
		{ author: feedback.author ?? MAIL_CASES_AUTHOR, text: feedback.text },
		{ touchCase: false, outcome: { outcome: 'field_feedback' } },
	);
	return { fieldFeedback: activity };
}

async function replay(trx: Executor, resolved: Resolved): Promise<MailIntakeResult> {
	const { key, earlier } = resolved;
	const entry = await loadEntry(trx, key);
	if (!entry)
		throw new MailCasesError('INTERNAL', `Ledger entry for ${key} vanished during a replay`);
	return {
		replayed: true,
		entry,
		case: entry.caseId !== null ? await loadCase(trx, entry.caseId) : undefined,
		activity: entry.activityId !== null ? await loadActivity(trx, entry.activityId) : undefined,
		fieldChanges: [],
		...(earlier ? { messageIdReused: { earlier, note: undefined } } : {}),
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

/** #14.1: our outgoing_mail activity of a Message-ID on a case (the latest, if several). */
async function outgoingOf(
	db: Executor,
	caseId: number,
	messageId: string,
): Promise<Activity | undefined> {
	const row = await db
		.selectFrom('activities')
		.select('id')
		.where('case_id', '=', caseId)
		.where('kind', '=', 'outgoing_mail')
		.where('message_id', '=', messageId)
		.orderBy('id', 'desc')
		.executeTakeFirst();
	return row ? await loadActivity(db, Number(row.id)) : undefined;
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

	/**
	 * The ledger entry of a mail, if it was processed. With the mail's content digest (#13.2),
	 * the entry of another mail under the same Message-ID is not this mail's: then the entry
	 * under its reused key (see `keyOf`).
	 */
	async lookup(
		messageKey: string,
		contentDigest?: string | null,
	): Promise<LedgerEntry | undefined> {
		assertMessageKey(messageKey);
		const digest = digestOf(contentDigest);
		return await this.ctx.run('read the ledger', async (db) =>
			loadEntry(db, (await resolve(db, messageKey, digest)).key),
		);
	}

	/**
	 * #13.2: the ledger key of the mail with this key and content digest: `messageKey`, or its
	 * reused key when the ledger has `messageKey` for a different mail; `earlier` is that entry.
	 */
	async keyOf(
		messageKey: string,
		contentDigest?: string | null,
	): Promise<{ key: string; earlier?: LedgerEntry }> {
		assertMessageKey(messageKey);
		const digest = digestOf(contentDigest);
		return await this.ctx.run('read the ledger', (db) => resolve(db, messageKey, digest));
	}

	/** R-PROC-6b: creates a case from a mail, the mail as its first activity. */
	async createCaseFromMail(input: CreateCaseFromMailInput): Promise<MailIntakeResult> {
		assertMessageKey(input?.messageKey);
		const key = input.messageKey;
		const digest = digestOf(input.contentDigest);
		return await this.ctx.transaction(`create a case from mail ${key}`, async (trx) => {
			const claimed = await claimMail(this.ctx, trx, key, digest, 'case_created');
			if (!claimed.claimed) return await replay(trx, claimed);
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
			const reused = await reuseOf(this.ctx, trx, created, input.mail?.messageId, claimed);
			const feedback = await feedbackNote(this.ctx, trx, created, input.fieldFeedback);
			const entry = await complete(trx, claimed.key, created.id, activity.id);
			return {
				replayed: false,
				entry,
				case: created,
				activity,
				fieldChanges: [],
				...feedback,
				...reused,
			};
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
		const digest = digestOf(input.contentDigest);
		return await this.ctx.transaction(`add mail ${key} to case ${input.caseId}`, async (trx) => {
			const claimed = await claimMail(this.ctx, trx, key, digest, 'activity_added');
			if (!claimed.claimed) return await replay(trx, claimed);
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
			const reused = await reuseOf(this.ctx, trx, c, input.mail?.messageId, claimed);
			const feedback = await feedbackNote(this.ctx, trx, c, input.fieldFeedback);
			const entry = await complete(trx, claimed.key, c.id, activity.id);
			return { replayed: false, entry, case: c, activity, fieldChanges, ...feedback, ...reused };
		});
	}

	/**
	 * #14.1: a bounce of a mail we sent on a case: stored once (ledger key of the bounce) as an
	 * incoming_mail activity with outcome delivery_failure on the case of the bounced Message-ID,
	 * and our outgoing_mail activity of that Message-ID gets outcome bounced. An unknown Message-ID
	 * writes nothing (case undefined).
	 */
	async recordDeliveryFailure(input: DeliveryFailureInput): Promise<DeliveryFailureResult> {
		assertMessageKey(input?.messageKey);
		const key = input.messageKey;
		const digest = digestOf(input.contentDigest);
		const bounced =
			typeof input.bouncedMessageId === 'string'
				? bareMessageId(input.bouncedMessageId)
				: undefined;
		if (!bounced)
			throw new MailCasesError(
				'INVALID_INPUT',
				`Bounce ${key}: the Message-ID of the bounced mail is missing (the trigger's bounce.originalMessageId)`,
			);
		if (typeof input.detail !== 'string' || input.detail.trim() === '')
			throw new MailCasesError(
				'INVALID_INPUT',
				`Bounce ${key} of <${bounced}>: detail must say what failed (e.g. "acknowledgement to x@y bounced: 550 5.1.1 user unknown")`,
			);
		if (!input.mail || typeof input.mail !== 'object')
			throw new MailCasesError(
				'INVALID_INPUT',
				`Bounce ${key} of <${bounced}>: the bounce mail is missing`,
			);
		const detail = input.detail;
		return await this.ctx.transaction(
			`record the bounce ${key} of <${bounced}>`,
			async (trx): Promise<DeliveryFailureResult> => {
				const linked = await trx
					.selectFrom('case_message_ids')
					.select('case_id')
					.where('message_id', '=', bounced)
					.executeTakeFirst();
				if (!linked)
					return { replayed: false, case: undefined, activity: undefined, outgoing: undefined };
				const caseId = Number(linked.case_id);
				const claimed = await claimMail(this.ctx, trx, key, digest, 'activity_added', detail);
				if (!claimed.claimed) {
					const entry = await loadEntry(trx, claimed.key);
					return {
						replayed: true,
						case: entry?.caseId != null ? await loadCase(trx, entry.caseId) : undefined,
						activity:
							entry?.activityId != null ? await loadActivity(trx, entry.activityId) : undefined,
						outgoing: await outgoingOf(trx, entry?.caseId ?? caseId, bounced),
					};
				}
				const locked = await lockCase(this.ctx, trx, caseId);
				const inserted = await insertActivity(this.ctx, trx, locked, 'incoming_mail', input.mail, {
					outcome: { outcome: 'delivery_failure', outcomeDetail: detail },
				});
				// our mail of that Message-ID: sent (or recorded before outcomes were kept) → bounced;
				// a failed attempt or a rejected mail keeps its outcome
				await trx
					.updateTable('activities')
					.set({ outcome: 'bounced', outcome_detail: detail })
					.where('case_id', '=', caseId)
					.where('kind', '=', 'outgoing_mail')
					.where('message_id', '=', bounced)
					.where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '=', 'sent')]))
					.execute();
				// #13.2: a bounce that reuses another mail's Message-ID: the note on the case says so
				await reuseOf(this.ctx, trx, inserted.case, input.mail.messageId, claimed);
				await complete(trx, claimed.key, caseId, inserted.activity.id);
				return {
					replayed: false,
					case: inserted.case,
					activity: inserted.activity,
					outgoing: await outgoingOf(trx, caseId, bounced),
				};
			},
		);
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
		const digest = digestOf(input.contentDigest);
		return await this.ctx.transaction(`record mail ${key} as ${input.outcome}`, async (trx) => {
			const claimed = await claimMail(
				this.ctx,
				trx,
				key,
				digest,
				input.outcome,
				input.detail ?? null,
			);
			if (!claimed.claimed) {
				return { recorded: false, entry: (await loadEntry(trx, claimed.key))! };
			}
			if (input.caseId !== undefined && input.caseId !== null) {
				const c = await loadCase(trx, input.caseId);
				if (!c)
					throw new MailCasesError('NOT_FOUND', `Case with id ${input.caseId} does not exist`);
			}
			return {
				recorded: true,
				entry: await complete(trx, claimed.key, input.caseId ?? null, null),
			};
		});
	}
}
