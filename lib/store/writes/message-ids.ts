import { MailCasesError } from '../../errors';
import type { StoreContext } from '../context';
import type { Executor } from '../db-types';
import { bareMessageId } from '../../mail/message-id';
import type { Case } from '../types';
import { caseLabel } from './cases';

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
	const id = bareMessageId(messageId);
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
