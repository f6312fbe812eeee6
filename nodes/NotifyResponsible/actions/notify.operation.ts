import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	notifyResponsible,
	type NotifyResponsibleDeps,
	type NotifyResponsibleInput,
} from '../../../lib/cases/use-cases/notify-responsible';
import type { MailSender } from '../../../lib/protocols/mail-sender';
import { mailFromItem } from '../../shared/mail-item';

type NotifyOptions = Omit<NotifyResponsibleInput, 'mail' | 'caseNumber'>;

/** R-PROC-3: one notification for the case of input item `itemIndex` (lib/cases/use-cases). */
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
	const {
		kind,
		case: theCase,
		orgUnit,
		...result
	} = await notifyResponsible({ store, sender, systemId }, { ...options, mail, caseNumber });
	const notification = {
		caseNumber,
		caseId: theCase.id,
		orgUnit: { id: orgUnit.id, name: orgUnit.name, kind: orgUnit.kind },
		sendThrough: sender.kind,
		profileIsDefault: sender.isDefault,
		notified: kind === 'notified',
		replayed: kind === 'alreadySent',
		// #14.2: notified | replayed | skipped | rejected (a permanent rejection, with its reply)
		outcome: kind === 'alreadySent' ? 'replayed' : kind,
		...result,
	};
	return {
		json: { ...item.json, notification },
		binary: item.binary,
	};
}
