import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { caseNumberOf, cut, jsonOf, listWithMore, mailFactsOf, plainText } from './run-facts';

/**
 * #14.3 Findable runs: the execution's custom data (n8n's `customData`, shown in an execution's
 * detail and searchable in the executions list where n8n's licence offers that) tells which
 * mail the run handled and what became of it:
 *
 *   subject     the mail's subject; for a run of several mails the first one's + "(+N more)"
 *   from        the sender's address (first mail's for several)
 *   messageId   the Message-ID (first mail's), or messageKey (`sha256:…`) for a mail without one
 *   mails       how many mails the run handled
 *   caseNumber  the case number(s) the nodes found or opened: "1042" or "1042, 1043 (+1 more)"
 *   outcome     what the case nodes did: "case created; agents notified; mail sent"
 *
 * The trigger cannot set custom data (n8n gives trigger functions no execution to write to, in
 * 2.41 and 1.123 alike), so the first of our nodes that gets the mails sets the mail's keys;
 * every case node adds its case numbers and outcome. n8n keeps at most 10 keys per execution
 * (later keys are dropped silently), keys of letters, digits and `_`, values cut at 255
 * characters by us (n8n logs an error above 255 and cuts at 512). n8n 2.x offers it as
 * `this.customData`; n8n 1.123 only to expressions (`$execution.customData`), which we reach
 * through the workflow data proxy. Custom data never fails a run: when n8n offers none (a
 * sub-context) nothing is recorded.
 */

/** n8n's limit for a value without an error in its log. */
export const CUSTOM_DATA_VALUE_MAX = 255;

type CustomData = IExecuteFunctions['customData'];

function usable(data: unknown): CustomData | undefined {
	const candidate = data as Partial<CustomData> | undefined;
	return candidate && typeof candidate.set === 'function' && typeof candidate.get === 'function'
		? (candidate as CustomData)
		: undefined;
}

/**
 * The execution's custom data: `this.customData` (n8n 2.x), else what expressions reach as
 * `$execution.customData` through the workflow data proxy (n8n 1.123 has no `this.customData`).
 */
function customDataOf(ctx: IExecuteFunctions): CustomData | undefined {
	try {
		const direct = usable((ctx as { customData?: CustomData }).customData);
		if (direct) return direct;
	} catch {
		// n8n: "runExecutionData is not available in this context"
	}
	try {
		const proxy = (
			ctx as { getWorkflowDataProxy?: (itemIndex: number) => { $execution?: unknown } }
		).getWorkflowDataProxy?.(0);
		return usable((proxy?.$execution as { customData?: unknown } | undefined)?.customData);
	} catch {
		return undefined;
	}
}

function read(data: CustomData, key: string): string {
	try {
		const value: unknown = data.get(key);
		return typeof value === 'string' ? value : '';
	} catch {
		return '';
	}
}

function write(data: CustomData, key: string, value: string): void {
	try {
		data.set(key, cut(value, CUSTOM_DATA_VALUE_MAX));
	} catch {
		// a manual run throws on an invalid value; ours are plain strings, but never fail a run for it
	}
}

/** The node's type without the package prefix: `createCaseFromMail`. */
function nodeKind(ctx: IExecuteFunctions): string {
	try {
		const type = ctx.getNode().type;
		return type.slice(type.lastIndexOf('.') + 1);
	} catch {
		return '';
	}
}

/** What a node did with one item, for `outcome` ('' when the node adds nothing). */
function stepOf(kind: string, output: number, json: IDataObject, what = 'mail'): string {
	const object = (value: unknown) =>
		value && typeof value === 'object' ? (value as IDataObject) : undefined;
	switch (kind) {
		case 'createCaseFromMail': {
			if (output === 1) {
				const skipped = object(json.skipped);
				const why = plainText(
					skipped?.class ?? (skipped?.ledgerOutcome ? 'processed before' : ''),
					40,
				);
				return why ? `skipped (${why})` : 'skipped';
			}
			return json.replayed === true ? 'case created before' : 'case created';
		}
		case 'addToCase':
			return json.replayed === true ? 'mail already on case' : 'added to case';
		case 'notifyResponsible': {
			const notification = object(json.notification);
			if (notification?.notified === true) return 'agents notified';
			if (notification?.replayed === true) return 'agents notified before';
			if (notification?.outcome === 'rejected') return 'notification rejected';
			return 'nobody notified';
		}
		case 'mailCasesSendMail': {
			const outcome = plainText(json.outcome, 20);
			if (json.sent === true || outcome === 'sent') return `${what} sent`;
			if (json.replayed === true || outcome === 'replayed') return `${what} sent before`;
			if (outcome === 'rejected') return `${what} rejected`;
			if (outcome === 'skipped') return `${what} not sent`;
			return '';
		}
		case 'mailCase': {
			// Record Delivery Failure (the trigger's bounce output); other operations add nothing
			const failure = object(json.deliveryFailure);
			if (!failure) return '';
			if (failure.recorded === true) return 'delivery failure recorded';
			if (failure.replayed === true) return 'delivery failure recorded before';
			const reason = plainText(failure.reason, 40);
			return reason ? `bounce not recorded (${reason})` : 'bounce not recorded';
		}
		case 'forwardMail': {
			const forward = object(json.forward);
			if (forward?.forwarded === true) return 'forwarded';
			if (forward?.replayed === true) return 'forwarded before';
			return '';
		}
		default:
			return '';
	}
}

/** Nodes whose case numbers and outcomes go to the custom data. */
const CASE_NODES = new Set([
	'caseMatch',
	'createCaseFromMail',
	'addToCase',
	'notifyResponsible',
	'mailCasesSendMail',
	'forwardMail',
	'mailCase',
]);

/** `"case created ×2; agents notified"` ↔ [["case created", 2], ["agents notified", 1]]. */
function parseSteps(text: string): Map<string, number> {
	const steps = new Map<string, number>();
	for (const part of text.split('; ')) {
		const match = /^(.*?)(?: ×(\d+))?$/.exec(part.trim());
		if (!match || !match[1]) continue;
		steps.set(match[1], (steps.get(match[1]) ?? 0) + Number(match[2] ?? 1));
	}
	return steps;
}

function formatSteps(steps: Map<string, number>): string {
	return [...steps].map(([step, n]) => (n > 1 ? `${step} ×${n}` : step)).join('; ');
}

/**
 * Records the run's facts after a node ran its items: the mail's keys (once per execution, from
 * the input items), and for case nodes the case numbers and what the node did per output item;
 * `failed` are the node's failed items (message and code), counted as "failed in <node>".
 */
export function recordRunFacts(
	ctx: IExecuteFunctions,
	inputs: INodeExecutionData[],
	outputs: INodeExecutionData[][],
	failed: Array<{ code: string | null }> = [],
): void {
	const data = customDataOf(ctx);
	if (!data) return;
	recordMail(data, inputs);
	const kind = nodeKind(ctx);
	if (!CASE_NODES.has(kind)) return;

	const numbers = read(data, 'caseNumber')
		.replace(/ \(\+\d+ more\)$/, '')
		.split(', ')
		.filter(Boolean);
	const steps = parseSteps(read(data, 'outcome'));
	const before = `${numbers.join()}|${formatSteps(steps)}`;
	const what = kind === 'mailCasesSendMail' ? mailPurpose(ctx) : 'mail';
	outputs.forEach((items, output) => {
		for (const json of jsonOf(items)) {
			// Case Match's "Unmatched" may name a number it did not find: not the run's case
			if (kind === 'caseMatch' && output === 1) continue;
			// Mail Case: only Record Delivery Failure's items are about a mail's case
			if (kind === 'mailCase' && !json.deliveryFailure) continue;
			const number = caseNumberOf(json);
			if (number && !numbers.includes(number)) numbers.push(number);
			// an error item (Continue On Fail) is counted from `failed`
			if (typeof json.error === 'string' && 'code' in json) continue;
			const step = stepOf(kind, output, json, what);
			if (step) steps.set(step, (steps.get(step) ?? 0) + 1);
		}
	});
	for (const { code } of failed) {
		const step = `failed in ${plainText(nodeName(ctx), 60)}${code ? ` (${code})` : ''}`;
		steps.set(step, (steps.get(step) ?? 0) + 1);
	}
	if (`${numbers.join()}|${formatSteps(steps)}` === before) return;
	if (numbers.length) write(data, 'caseNumber', listWithMore(numbers, CUSTOM_DATA_VALUE_MAX));
	if (steps.size) write(data, 'outcome', formatSteps(steps));
}

/**
 * What the nodes before did in this run, for an error message (#14.4): the outcome's steps when
 * the run handled one mail (with several mails they may be another mail's), else [].
 * A sibling branch's work (Notify Inbound Workplace beside Send Acknowledgement) is not in the
 * failing item's JSON, only here.
 */
export function runStepsSoFar(ctx: IExecuteFunctions): string[] {
	const data = customDataOf(ctx);
	if (!data || read(data, 'mails') !== '1') return [];
	return [...parseSteps(read(data, 'outcome')).keys()].filter(
		(step) => !step.startsWith('failed in '),
	);
}

/** Send Mail: "acknowledgement" when it answers the incoming mail (Reply to Incoming), else "mail". */
function mailPurpose(ctx: IExecuteFunctions): string {
	try {
		const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
		return options?.replyToIncoming === true ? 'acknowledgement' : 'mail';
	} catch {
		return 'mail';
	}
}

function nodeName(ctx: IExecuteFunctions): string {
	try {
		return ctx.getNode().name;
	} catch {
		return 'a node';
	}
}

function recordMail(data: CustomData, inputs: INodeExecutionData[]): void {
	if (read(data, 'subject') || read(data, 'from') || read(data, 'mails')) return;
	const mails = jsonOf(inputs)
		.map(mailFactsOf)
		.filter((mail) => mail !== null);
	if (mails.length === 0) return;
	const [first] = mails;
	const more = mails.length > 1 ? ` (+${mails.length - 1} more)` : '';
	const subject = plainText(first.subject, CUSTOM_DATA_VALUE_MAX - more.length) || '(no subject)';
	write(data, 'subject', `${subject}${more}`);
	if (first.from) write(data, 'from', first.from);
	if (first.messageId) write(data, 'messageId', first.messageId);
	else if (first.messageKey) write(data, 'messageKey', first.messageKey);
	write(data, 'mails', String(mails.length));
}
