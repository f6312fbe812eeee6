import { localPart } from '../address';
import { keyword, type ClassifyContext, type MailFilter } from './context';

/** Subjects of non-delivery reports of common mail systems (English, German, a few others). */
export const BOUNCE_SUBJECT =
	/undeliver(ed|able)|undelivered mail|returned mail|return(ed)? to sender|mail delivery (failed|failure|system|subsystem|problem)|delivery (status notification \((failure|delay)\)|failure|failed|has failed|problem|notification: delivery has failed)|failure notice|non[- ]?delivery|nondeliverable|could not (be )?deliver|message not delivered|delivery (report|error)|mail system error|warning: could not send|not delivered|unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|fehler bei der zustellung|rückläufer|unzustellbare|non remis|no entregado|niet afgeleverd|non recapitabile|メールエラー|配信エラー|配送エラー|送信エラー|配信不能|未配達|宛先不明/i;

const AUTOMATED_LOCAL_PART = /daemon|postmaster|mailer|bounce|noreply|no-reply|mdaemon|mail-?admin/;
const ORIGINAL_PARTS = new Set([
	'message/rfc822',
	'message/global',
	'text/rfc822-headers',
	'message/rfc822-headers',
]);

/** Signs that a mail with a bounce-like subject comes from a machine, not from a person. */
export function looksAutomated(ctx: ClassifyContext): string | undefined {
	const returnPath = ctx.header('return-path');
	if (returnPath !== undefined && isNullReturnPath(returnPath)) return 'null Return-Path';
	const autoSubmitted = keyword(ctx.header('auto-submitted'));
	if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
	const from = ctx.message.from;
	if (!from) return 'no From';
	if (AUTOMATED_LOCAL_PART.test(localPart(from.address))) return `sender ${from.address}`;
	if ((ctx.message.attachments ?? []).some((p) => ORIGINAL_PARTS.has(p.contentType))) {
		return 'returned message attached';
	}
	return undefined;
}

/**
 * `<>`, empty, `<MAILER-DAEMON>` or `<MAILER-DAEMON@host>`: how MTAs write the null sender
 * when they deliver a bounce or an automatic reply (sendmail and Postfix write the bare name,
 * others add their host name; issue #13).
 */
export function isNullReturnPath(value: string): boolean {
	let inner = value.replace(/\([^()]*\)/g, '').trim();
	// `<…>` unwrapped by position: `^<\s*(.*?)\s*>$` was quadratic in a long run of blanks
	if (inner.startsWith('<') && inner.endsWith('>')) {
		const unwrapped = inner.slice(1, -1).trim();
		if (!/[\n\r\u2028\u2029]/.test(unwrapped)) inner = unwrapped;
	}
	return inner === '' || /^mailer-daemon(@[^\s@<>]+)?$/i.test(inner);
}

/** A person forwarding a bounce: `Fwd:`, `Fw:`, `WG:` (German), `TR:` (French), `RV:`, `Doorst:`. */
const FORWARD_PREFIX = /^\s*(fwd?|wg|tr|rv|doorst)\s*:/i;

/**
 * A non-delivery subject ("Undelivered Mail Returned to Sender", "Unzustellbar: ...") from a
 * machine → bounce. A person writing such a subject is not enough: a sign of automation is
 * needed too (see looksAutomated), and a forwarded bounce (`Fwd: Undeliverable ...`) is mail
 * from a person. Delivery reports are judged by delivery-report instead.
 */
export const bounceSubject: MailFilter = (ctx) => {
	if (ctx.report || ctx.feedback || FORWARD_PREFIX.test(ctx.message.subject)) return;
	const match = BOUNCE_SUBJECT.exec(ctx.message.subject);
	if (!match) return;
	const evidence = looksAutomated(ctx);
	if (evidence) ctx.hit('bounce', `bounce subject "${match[0]}" and ${evidence}`);
};
