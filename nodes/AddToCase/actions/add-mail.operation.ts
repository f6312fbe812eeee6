import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	activityJson,
	caseJson,
	fieldChangeJson,
	fieldPlanJson,
} from '../../../lib/cases/case-json';
import { addMailToCase } from '../../../lib/cases/use-cases/add-mail-to-case';
import type { MailActivityOptions } from '../../../lib/cases/mail-activity';
import type { Store } from '../../../lib/store';
import { fieldLineSettings, type FieldLineOptionValues } from '../../shared/field-line-options';
import { mailFromItem } from '../../shared/mail-item';
import { senderPolicies } from '../../shared/sender-policy.properties';

interface FieldOptions extends FieldLineOptionValues {
	plusAddressing?: 'distinct' | 'same';
}

/**
 * R-PROC-2 / R-PLUS-2 (and R-PROC-5 with "Apply Field Lines"): the mail of input item `i` as an
 * activity of its case, its field changes in the same ledger transaction (see the use case).
 */
export async function addMail(
	ctx: IExecuteFunctions,
	i: number,
	store: Store,
): Promise<INodeExecutionData> {
	const item = ctx.getInputData()[i];
	const fieldRules = (fieldOptions: FieldOptions) => ({
		senderPolicy: senderPolicies(ctx.getNodeParameter('fieldSenderPolicy', i, ['caseParticipant'])),
		plusAddressing: fieldOptions.plusAddressing,
		lines: fieldLineSettings(fieldOptions),
	});
	const r = await addMailToCase(
		{ store },
		{
			caseNumber: String(ctx.getNodeParameter('caseNumber', i, '') ?? ''),
			mail: await mailFromItem(ctx, i, { withContent: true }),
			content: ctx.getNodeParameter('options', i, {}) as MailActivityOptions,
			applyFields: ctx.getNodeParameter('applyFields', i, false)
				? fieldRules(ctx.getNodeParameter('fieldOptions', i, {}) as FieldOptions)
				: undefined,
		},
	);
	const changes = r.kind === 'added' ? r.fieldChanges : [];
	const json: IDataObject = {
		...item.json,
		case: r.case ? (caseJson(r.case) as unknown as IDataObject) : null,
		activity: r.activity ? (activityJson(r.activity) as unknown as IDataObject) : null,
		replayed: r.kind === 'replayed',
		...(r.blockedImages > 0 ? { blockedImages: r.blockedImages } : {}),
		...(r.attachmentsWithoutContent ? { attachmentsWithoutContent: true } : {}),
		// #13.2: the mail's own key (another mail had its Message-ID), e.g. for Send Once Per
		...(r.messageIdReused
			? {
					messageKey: r.messageIdReused.messageKey,
					messageIdReused: r.messageIdReused as unknown as IDataObject,
				}
			: {}),
	};
	if (r.fields)
		json.fields = {
			...fieldPlanJson(r.fields),
			changed: changes.map(fieldChangeJson),
			// #14.1: the note on the case about the lines that changed nothing (written now)
			...(r.kind === 'added' && r.fieldFeedback
				? { feedbackNote: { activityId: r.fieldFeedback.id, text: r.fieldFeedback.text } }
				: {}),
		} as IDataObject;
	return { json, ...(item.binary ? { binary: item.binary } : {}) };
}
