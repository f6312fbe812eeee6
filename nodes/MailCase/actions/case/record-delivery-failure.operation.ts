import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { activityJson, caseJson } from '../../../../lib/cases/case-json';
import {
	recordDeliveryFailure,
	type BounceClassification,
} from '../../../../lib/cases/use-cases/record-delivery-failure';
import type { Activity, Store } from '../../../../lib/store';
import { mailFromItem } from '../../../shared/mail-item';
import { showFor } from '../properties';

const show = showFor('case', 'recordDeliveryFailure');

/** An activity of the output with what became of it (purpose, outcome, outcomeDetail). */
const withOutcome = (a: Activity): IDataObject => ({
	...(activityJson(a) as unknown as IDataObject),
	purpose: a.purpose,
	outcome: a.outcome,
	outcomeDetail: a.outcomeDetail,
});

export const description: INodeProperties[] = [
	{
		displayName:
			'Connect this to the Auto-Replies & Bounces output of the Mail Cases Trigger. A bounce of a mail we sent on a case (acknowledgement, notification, forward, Send Mail with Record on Case) is added to that case as a delivery failure, and our mail is marked bounced. Other items (auto-replies, delay warnings, bounces of mail that is on no case) record nothing; the output says why.',
		name: 'recordDeliveryFailureNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
];

/**
 * Case → Record Delivery Failure (#14.1): the bounce of input item `itemIndex` onto the case of
 * the mail it bounced; the output is the input item with `deliveryFailure` (what was recorded,
 * or why nothing was).
 */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
): Promise<INodeExecutionData[]> {
	const item = ctx.getInputData()[itemIndex];
	const r = await recordDeliveryFailure(
		{ store },
		{
			mail: await mailFromItem(ctx, itemIndex, { withContent: true }),
			classification: (item.json as IDataObject).classification as BounceClassification | undefined,
		},
	);
	const deliveryFailure: IDataObject =
		r.kind === 'not-recorded'
			? {
					recorded: false,
					replayed: false,
					reason: r.reason,
					message: r.message,
					bouncedMessageId: r.bouncedMessageId ?? null,
					caseNumber: null,
				}
			: {
					recorded: r.kind === 'recorded',
					replayed: r.kind === 'replayed',
					bouncedMessageId: r.bouncedMessageId,
					detail: r.detail,
					caseNumber: r.case.number,
					case: caseJson(r.case) as unknown as IDataObject,
					activity: r.activity ? withOutcome(r.activity) : null,
					bouncedMail: r.outgoing ? withOutcome(r.outgoing) : null,
				};
	return [
		{
			json: { ...item.json, deliveryFailure },
			...(item.binary ? { binary: item.binary } : {}),
			pairedItem: { item: itemIndex },
		},
	];
}
