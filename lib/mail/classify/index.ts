import { MailCasesError } from '../../errors';
import { loopHeaderValue } from '../loop-header';
import type { ClassifiableMessage, Classification, ClassifyOptions, MailClass } from '../types';
import { autoResponseSuppress } from './auto-response-suppress';
import { autoSubmitted } from './auto-submitted';
import { bounceSubject } from './bounce-subject';
import { bounceDetails } from './bounce-details';
import { amazonNotification } from './amazon-notification';
import { createContext, type MailFilter, type ResolvedOptions, type Verdict } from './context';
import { deliveryReport } from './delivery-report';
import { dispositionNotification } from './disposition-notification';
import { failedRecipients } from './failed-recipients';
import { feedbackReport } from './feedback-report';
import { listHeaders } from './list-headers';
import { mailerDaemon } from './mailer-daemon';
import { nullReturnPath } from './null-return-path';
import { ownAddress } from './own-address';
import { ownLoopHeader } from './own-loop-header';
import { ownThreadEvidence } from './own-thread';
import { precedence } from './precedence';
import { subjectForms } from './subject-forms';
import { DEFAULT_IGNORE_SUBJECT_KEYWORDS, subjectKeywords } from './subject-keywords';
import { vendorAutoReplyHeaders } from './vendor-autoreply-headers';
import { xLoop } from './x-loop';

export { DEFAULT_IGNORE_SUBJECT_KEYWORDS, subjectHasKeyword } from './subject-keywords';
export { autoReplySubjectForm } from './subject-forms';
export { caseReferenceIn, isOwnMessageId } from './own-thread';

/**
 * The filters in the order they run (Zammad-style: each small filter looks at the mail and
 * at what earlier filters found, and votes with a reason). Order matters only where a
 * filter reads earlier findings: the report filters run before the bounce heuristics, and
 * bounce rules before the null Return-Path rule, which decides bounce vs. autoReply.
 */
export const FILTERS: ReadonlyArray<readonly [string, MailFilter]> = [
	['own-loop-header', ownLoopHeader],
	['own-address', ownAddress],
	['x-loop', xLoop],
	['delivery-report', deliveryReport],
	['feedback-report', feedbackReport],
	['disposition-notification', dispositionNotification],
	['amazon-notification', amazonNotification],
	['mailer-daemon', mailerDaemon],
	['failed-recipients', failedRecipients],
	['bounce-subject', bounceSubject],
	['null-return-path', nullReturnPath],
	['auto-submitted', autoSubmitted],
	['auto-response-suppress', autoResponseSuppress],
	['precedence', precedence],
	['vendor-autoreply-headers', vendorAutoReplyHeaders],
	['subject-keywords', subjectKeywords],
	['subject-forms', subjectForms],
	['list-headers', listHeaders],
	['bounce-details', bounceDetails],
];

/** When several rules fire, the first class of this list that got a vote wins. */
export const CLASS_PRIORITY: readonly Verdict[] = ['loop', 'bounce', 'report', 'autoReply', 'list'];

function resolveOptions(options: ClassifyOptions): ResolvedOptions {
	const keywords = options.ignoreSubjectKeywords ?? [...DEFAULT_IGNORE_SUBJECT_KEYWORDS];
	const ownAddresses = options.ownAddresses ?? [];
	if (!Array.isArray(keywords) || keywords.some((k) => typeof k !== 'string')) {
		throw new MailCasesError('INVALID_INPUT', 'ignoreSubjectKeywords must be a list of texts.');
	}
	if (!Array.isArray(ownAddresses) || ownAddresses.some((a) => typeof a !== 'string')) {
		throw new MailCasesError('INVALID_INPUT', 'ownAddresses must be a list of e-mail addresses.');
	}
	if (
		options.autoReplySubjectForms !== undefined &&
		typeof options.autoReplySubjectForms !== 'boolean'
	) {
		throw new MailCasesError('INVALID_INPUT', 'autoReplySubjectForms must be true or false.');
	}
	return {
		keywords: keywords.map((k) => k.trim()).filter(Boolean),
		subjectForms: options.autoReplySubjectForms ?? true,
		ownAddresses: ownAddresses.map((a) => a.trim()).filter(Boolean),
		...(options.systemId !== undefined ? { systemId: loopHeaderValue(options.systemId) } : {}),
	};
}

/**
 * Classifies an incoming mail (R-PROC-7, R-PLUS-3) as normal, autoReply, bounce, report, list
 * or loop. Works on a full ParsedMessage, or on the header section alone (parseMessageHeaders),
 * in which case rules that need the body (delivery-report details, bounce text) see less.
 * Priority when several rules fire: loop > bounce > report > autoReply > list > normal.
 * `reasons` lists every rule that fired, in pipeline order.
 *
 * Subject-only votes (ignore keywords, auto-reply subject forms) do not count when the mail
 * carries a case reference or answers a mail we sent (issue #13): without other votes it stays
 * `normal` with `probablyAutomatic: true`, and the last reason says why.
 */
export function classifyMessage(
	message: ClassifiableMessage,
	options: ClassifyOptions = {},
): Classification {
	const resolved = resolveOptions(options);
	const ctx = createContext(message, resolved);
	for (const [, filter] of FILTERS) filter(ctx);
	let votes = ctx.hits;
	const reasons = ctx.hits.map((h) => h.reason);
	let probablyAutomatic = false;
	// Issue #13: the subject alone never takes a mail of one of our conversations away from its
	// case; it only flags it.
	if (votes.some((h) => h.subjectOnly)) {
		const evidence = ownThreadEvidence(message, resolved);
		if (evidence) {
			votes = votes.filter((h) => !h.subjectOnly);
			probablyAutomatic = !votes.length;
			reasons.push(`the subject alone does not decide: ${evidence}`);
		}
	}
	const cls: MailClass = CLASS_PRIORITY.find((c) => votes.some((h) => h.verdict === c)) ?? 'normal';
	const result: Classification = { class: cls, reasons };
	if (probablyAutomatic) result.probablyAutomatic = true;
	if (ctx.bouncedMessageId) result.bouncedMessageId = ctx.bouncedMessageId;
	if (ctx.bounce && Object.keys(ctx.bounce).length) result.bounce = ctx.bounce;
	if (ctx.feedback && cls === 'report') result.feedback = ctx.feedback;
	return result;
}
