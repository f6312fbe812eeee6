import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { activityJson, caseJson, fieldChangeJson } from '../../lib/cases/case-json';
import { mailActivityInput } from '../../lib/cases/mail-activity';
import { mailLedgerKey } from '../../lib/cases/mail-ledger-key';
import { MailCasesError } from '../../lib/errors';
import type { Store } from '../../lib/store';
import { failedItem } from '../shared/errors';
import { mailFromItem } from '../shared/mail-item';
import { storeFor } from '../shared/store';
import { fieldPlanJson, planCaseFieldUpdates, type FieldPlan } from './apply-fields';

interface AddOptions {
	allowRemoteImages?: boolean;
	oversized?: 'error' | 'metadata';
	keepHtml?: boolean;
}

/**
 * R-PROC-2 / R-PLUS-2 (and R-PROC-5 with "Apply Field Lines"): one ledger transaction per
 * mail — the mail's activity with its attachments and the field changes commit together or
 * not at all, keyed by the Message-ID. A replay (retry, second worker, the same mail delivered
 * again) writes nothing and outputs the earlier activity with `replayed: true`.
 */
async function addOne(
	ctx: IExecuteFunctions,
	i: number,
	store: Store,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[i];
	const number = String(ctx.getNodeParameter('caseNumber', i, '') ?? '').trim();
	if (!number) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'No case number: connect this node to the Matched output of Case Match, or set Case Number',
		);
	}
	const options = ctx.getNodeParameter('options', i, {}) as AddOptions;
	const applyFields = ctx.getNodeParameter('applyFields', i, false) as boolean;
	const mail = await mailFromItem(ctx, i, { withContent: true });
	const c = await store.cases.requireByNumber(number);
	const messageKey = mailLedgerKey(mail);
	const built = mailActivityInput(mail, {
		allowRemoteImages: options.allowRemoteImages === true,
		keepHtml: options.keepHtml !== false,
		oversized: options.oversized ?? 'error',
		maxAttachmentBytes: store.maxAttachmentBytesPerMail,
	});
	const sender = mail.from?.address ?? null;
	let plan: FieldPlan | undefined;
	if (applyFields)
		plan = await planCaseFieldUpdates(
			ctx,
			i,
			store,
			c,
			{ text: mail.text, html: mail.html },
			sender,
		);

	const result = await store.ledger.addMailToCase({
		messageKey,
		caseId: c.id,
		mail: built.mail,
		fieldUpdates: plan?.updates,
		changedBy: sender,
	});
	const json: IDataObject = {
		...item.json,
		case: result.case ? (caseJson(result.case) as unknown as IDataObject) : null,
		activity: result.activity ? (activityJson(result.activity) as unknown as IDataObject) : null,
		replayed: result.replayed,
	};
	if (built.blockedImages > 0) json.blockedImages = built.blockedImages;
	if (built.attachmentsWithoutContent) json.attachmentsWithoutContent = true;
	if (plan)
		json.fields = {
			...fieldPlanJson(plan),
			changed: result.fieldChanges.map(fieldChangeJson) as unknown as IDataObject[],
		};
	return { json, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: i } };
}

export async function addMailToCases(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	let store: Store | undefined;
	for (let i = 0; i < items.length; i++) {
		try {
			store ??= await storeFor(this);
			output.push(await addOne(this, i, store));
		} catch (error) {
			output.push(failedItem(this, error, i));
		}
	}
	return [output];
}
