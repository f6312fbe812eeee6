import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { caseJson, contactJson, fieldPlanJson } from '../../../lib/cases/case-json';
import { createCaseFromMail } from '../../../lib/cases/use-cases/create-case-from-mail';
import type { Store } from '../../../lib/store';
import { fieldLineSettings, type FieldLineOptionValues } from '../../shared/field-line-options';
import { mailFromItem } from '../../shared/mail-item';

interface CreateCaseOptions extends FieldLineOptionValues {
	skipAutomaticMail?: boolean;
	title?: string;
}

/** Output index 0 = the case, 1 = skipped. */
export type CreateCaseResult = { output: 0 | 1; item: INodeExecutionData };

/** R-PROC-6b: opens a case from the mail of input item `itemIndex` (or finds the one it opened before). */
export async function createCase(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
	systemId: string,
): Promise<CreateCaseResult> {
	const item = ctx.getInputData()[itemIndex];
	const options = ctx.getNodeParameter('options', itemIndex, {}) as CreateCaseOptions;
	const r = await createCaseFromMail(
		{ store, systemId },
		{
			mail: await mailFromItem(ctx, itemIndex, { withContent: true }),
			classification: (item.json as IDataObject).classification as IDataObject | undefined,
			workflow: String(ctx.getNodeParameter('workflow', itemIndex, '') ?? ''),
			inboundWorkplace: String(ctx.getNodeParameter('inboundWorkplace', itemIndex, '') ?? ''),
			title: options.title,
			skipAutomaticMail: options.skipAutomaticMail,
			fieldLines: fieldLineSettings(options),
		},
	);
	const out = (output: 0 | 1, json: IDataObject): CreateCaseResult => ({
		output,
		item: { json: { ...item.json, ...json }, binary: item.binary },
	});
	if (r.kind === 'automatic-mail') return out(1, { skipped: { reason: r.message, ...r.verdict } });
	if (r.kind === 'processed-before') {
		const { outcome: ledgerOutcome } = r.entry;
		return out(1, {
			skipped: { reason: r.message, ledgerOutcome, caseNumber: r.case?.number ?? null },
		});
	}
	const { workflow: w, responsible: u } = r;
	return out(0, {
		// issue #11.7: case.reference is the signed [#number-tag] for an acknowledgement's text
		case: caseJson(r.case, r.reference) as unknown as IDataObject,
		workflow: w ? { id: w.id, name: w.name } : null,
		responsible: u ? { id: u.id, name: u.name, kind: u.kind } : null,
		contact: contactJson(r.contact) as unknown as IDataObject,
		replayed: r.replayed,
		activityId: r.activityId,
		fields: {
			...fieldPlanJson(r.fields),
			// #14.1: the note on the case about the lines that set nothing (written now)
			...(r.fieldFeedback
				? { feedbackNote: { activityId: r.fieldFeedback.id, text: r.fieldFeedback.text } }
				: {}),
		} as unknown as IDataObject,
		...(r.blockedImages > 0 ? { blockedImages: r.blockedImages } : {}),
		// #13.2: the mail's own key (another mail had its Message-ID), e.g. for Send Once Per
		...(r.messageIdReused
			? {
					messageKey: r.messageIdReused.messageKey,
					messageIdReused: r.messageIdReused as unknown as IDataObject,
				}
			: {}),
	});
}
