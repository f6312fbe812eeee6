import type { BounceInfo } from '../types';
import { parseContentType, type ClassifyContext, type MailFilter } from './context';
import { originalMessageId } from './original-message';

const STATUS_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** Success actions; `deliverable` is what sendmail reports for an address verification. */
const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded', 'deliverable']);

type Fields = Map<string, string>;

/**
 * Splits a report body of header-like fields into groups separated by blank lines (RFC 3464:
 * per-message, then per-recipient; RFC 5965 feedback reports have one group). Field names
 * lower-case, continuation lines joined; the first value of a repeated field is kept.
 */
export function fieldGroups(body: string): Fields[] {
	const groups: Fields[] = [];
	let current: Fields = new Map();
	let lastKey = '';
	for (const line of body.split(/\r\n|\n|\r/)) {
		if (line.trim() === '') {
			if (current.size) groups.push(current);
			current = new Map();
			lastKey = '';
			continue;
		}
		if (/^[ \t]/.test(line) && lastKey) {
			current.set(lastKey, `${current.get(lastKey)} ${line.trim()}`);
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		lastKey = line.slice(0, colon).trim().toLowerCase();
		if (!current.has(lastKey)) current.set(lastKey, line.slice(colon + 1).trim());
	}
	if (current.size) groups.push(current);
	return groups;
}

/** `rfc822; a@b` → `a@b`; `smtp; 550 ...` → `550 ...`. */
function withoutType(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	const semi = value.indexOf(';');
	const result = (semi >= 0 ? value.slice(semi + 1) : value).replace(/\s+/g, ' ').trim();
	return result || undefined;
}

function recipientOf(fields: Fields): string | undefined {
	const value = withoutType(fields.get('final-recipient') ?? fields.get('original-recipient'));
	return value?.replace(/^<(.*)>$/, '$1');
}

/** The action keyword of a recipient group (`failed`, `delayed`, ...), lower-case. */
function actionOf(fields: Fields): string {
	return (fields.get('action') ?? '')
		.trim()
		.split(/[\s;(]/)[0]
		.toLowerCase();
}

function toBounceInfo(fields: Fields): BounceInfo {
	const info: BounceInfo = {};
	const status = /\b([245])\.\d{1,3}\.\d{1,3}\b/.exec(fields.get('status') ?? '');
	if (status) {
		info.status = status[0];
		if (status[1] !== '2') info.permanent = status[1] === '5';
	}
	const action = actionOf(fields);
	if (action) info.action = action;
	const recipient = recipientOf(fields);
	if (recipient) info.recipient = recipient;
	const diagnostic = withoutType(fields.get('diagnostic-code'));
	if (diagnostic) info.diagnostic = diagnostic;
	return info;
}

function isRecipientGroup(fields: Fields): boolean {
	return (
		fields.has('final-recipient') ||
		fields.has('original-recipient') ||
		fields.has('action') ||
		fields.has('status')
	);
}

/** Per-recipient groups of all delivery-status parts (or of the text, as a last resort). */
function recipientGroups(ctx: ClassifyContext, declared: boolean): Fields[] {
	const bodies = (ctx.message.attachments ?? [])
		.filter((part) => STATUS_PART_TYPES.has(part.contentType))
		.map((part) => part.content.toString('utf8'));
	if (!bodies.length && declared && ctx.message.text) bodies.push(ctx.message.text);
	return bodies.flatMap(fieldGroups).filter(isRecipientGroup);
}

/** Failed recipient first, then delayed, then any with a status. */
function mainGroup(groups: Fields[]): Fields | undefined {
	return (
		groups.find((g) => actionOf(g) === 'failed') ??
		groups.find((g) => actionOf(g) === 'delayed') ??
		groups.find((g) => /\b[45]\.\d/.test(g.get('status') ?? '')) ??
		groups[0]
	);
}

/**
 * Delivery status notifications (RFC 3464): `multipart/report; report-type=delivery-status`
 * or a `message/delivery-status` part. Reads Status / Action / Final-Recipient /
 * Diagnostic-Code and the Message-ID of the returned mail. A report that only says
 * delivered/relayed/expanded is a success notice → autoReply; anything else → bounce.
 */
export const deliveryReport: MailFilter = (ctx) => {
	const contentType = parseContentType(ctx.header('content-type'));
	const declared =
		contentType.type === 'multipart/report' &&
		/^(delivery-status|global-delivery-status)$/i.test(contentType.params['report-type'] ?? '');
	const hasStatusPart = (ctx.message.attachments ?? []).some((p) =>
		STATUS_PART_TYPES.has(p.contentType),
	);
	if (!declared && !hasStatusPart) return;

	const groups = recipientGroups(ctx, declared);
	const actions = groups.map(actionOf).filter(Boolean);
	ctx.report = { actions };
	const main = mainGroup(groups);
	if (main) ctx.bounce = toBounceInfo(main);
	const original = originalMessageId(ctx.message);
	if (original) ctx.bouncedMessageId = original;

	const what = declared
		? 'delivery status notification (multipart/report)'
		: 'message/delivery-status part';
	if (actions.length && actions.every((a) => SUCCESS_ACTIONS.has(a))) {
		ctx.hit('autoReply', `${what} reporting success (${[...new Set(actions)].join(', ')})`);
		return;
	}
	const detail = [ctx.bounce?.action, ctx.bounce?.status].filter(Boolean).join(' ');
	ctx.hit('bounce', detail ? `${what}: ${detail}` : what);
};
