import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	notifyResponsible,
	type NotifyResponsibleDeps,
	type NotifyResponsibleInput,
	type NotifyResponsibleResult,
} from '../../../lib/cases/use-cases/notify-responsible';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { mailFromItem } from '../../shared/mail-item';

type NotifyOptions = Omit<NotifyResponsibleInput, 'mail' | 'caseNumber'>;

/** The item's `notification` for what the use case did. */
function notificationJson(result: NotifyResponsibleResult, caseNumber: string, sender: MailSender): IDataObject {
	const { case: theCase, orgUnit, recipients } = result;
	const base = {
		caseNumber,
		caseId: theCase.id,
		orgUnit: { id: orgUnit.id, name: orgUnit.name, kind: orgUnit.kind },
		sendThrough: sender.kind,
		profileIsDefault: sender.isDefault,
	};
	if (result.kind === 'skipped') return { ...base, notified: false, replayed: false, reason: result.reason, recipients };
	if (result.kind === 'alreadySent')
		return { ...base, notified: false, replayed: true, reason: result.reason, messageId: result.messageId, recipients };
	const { messageId, subject, from } = result;
	const { accepted, rejected } = result.sent;
	return { ...base, notified: true, replayed: false, messageId, subject, recipients, accepted, rejected, from };
}

/** R-PROC-3: one notification for the case of input item `itemIndex` (lib/cases/use-cases/notify-responsible.ts). */
export async function notify(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: NotifyResponsibleDeps['store'],
	sender: MailSender,
	systemId: string,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[itemIndex];
	const mail = await mailFromItem(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NotifyOptions;
	const caseNumber = String(ctx.getNodeParameter('caseNumber', itemIndex, '') ?? '').trim();
	const result = await notifyResponsible({ store, sender, systemId }, { ...options, mail, caseNumber });
	return {
		json: { ...item.json, notification: notificationJson(result, caseNumber, sender) },
		binary: item.binary,
		pairedItem: { item: itemIndex },
	};
}
