import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { caseJson } from '../../../lib/cases/case-json';
import { matchMail } from '../../../lib/cases/use-cases/match-mail';
import type { Store } from '../../../lib/store';
import { mailFromItem } from '../../shared/mail-item';
import { defaultSenderPolicy, senderPolicies } from '../../shared/sender-policy.properties';

interface MatchOptions {
	caseNumberFormat?: string;
	keywords?: string;
	patterns?: string;
	bareNumbers?: boolean;
	threadHeaders?: boolean;
	plusAddressing?: 'distinct' | 'same';
	trustedAuthservId?: string;
}

/** Output index 0 = matched, 1 = unmatched. */
export type MatchResult = { output: 0 | 1; item: INodeExecutionData };

const list = (text: string | undefined, separator: RegExp) =>
	(text ?? '')
		.split(separator)
		.map((s) => s.trim())
		.filter(Boolean);

/** R-PROC-1 / R-PLUS-4 / R-PLUS-5: the case of the mail of input item `i`, or why none. */
export async function match(ctx: IExecuteFunctions, i: number, store: Store): Promise<MatchResult> {
	const item = ctx.getInputData()[i];
	const { keywords, patterns, ...options } = ctx.getNodeParameter('options', i, {}) as MatchOptions;
	const senderPolicy = senderPolicies(
		ctx.getNodeParameter('senderPolicy', i, defaultSenderPolicy(ctx.getNode().typeVersion)),
	);
	const mail = await mailFromItem(ctx, i);
	const r = await matchMail(
		{ store, referenceKey: await store.caseReferenceKey() },
		{
			...options,
			mail,
			senderPolicy,
			keywords: list(keywords, /,/),
			patterns: list(patterns, /\r?\n/),
		},
	);
	const out = (output: 0 | 1, json: IDataObject): MatchResult => ({
		output,
		item: { json: { ...item.json, ...json }, ...(item.binary ? { binary: item.binary } : {}) },
	});
	if (!r.matched) {
		const { reason, message: reasonMessage, caseNumbers, caseNumber } = r;
		return out(1, { reason, reasonMessage, caseNumbers, ...(caseNumber ? { caseNumber } : {}) });
	}
	return out(0, {
		case: caseJson(r.case, r.reference) as unknown as IDataObject,
		caseMatch: r.caseMatch as unknown as IDataObject,
	});
}
