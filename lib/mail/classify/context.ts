import type { BounceInfo, ClassifiableMessage, FeedbackInfo, MailClass } from '../types';

/** A class a filter can vote for; 'normal' is what remains when no filter votes. */
export type Verdict = Exclude<MailClass, 'normal'>;

export interface ResolvedOptions {
	keywords: string[];
	subjectForms: boolean;
	systemId?: string;
	ownAddresses: string[];
}

/**
 * A vote. `subjectOnly`: the rule looked at the subject alone (ignore keywords, auto-reply
 * subject forms); such votes do not count for a mail that carries a case reference or answers
 * a mail we sent (see own-thread.ts).
 */
export interface Hit {
	verdict: Verdict;
	reason: string;
	subjectOnly?: boolean;
}

/** What the delivery-report filter learned; later filters read it. */
export interface DeliveryReport {
	/** Per-recipient actions found (lower-case). */
	actions: string[];
}

/**
 * State shared by the filters of one classification run. Filters read the message and
 * the findings of earlier filters, and vote with `hit`.
 */
export interface ClassifyContext {
	readonly message: ClassifiableMessage;
	readonly options: ResolvedOptions;
	readonly hits: Hit[];
	/** Set by the delivery-report filter when the mail is a DSN (RFC 3464). */
	report?: DeliveryReport;
	/** Set by the feedback-report filter when the mail is an abuse / spam report (ARF). */
	feedback?: FeedbackInfo;
	bounce?: BounceInfo;
	bouncedMessageId?: string;
	hit(verdict: Verdict, reason: string, kind?: { subjectOnly: true }): void;
	has(verdict: Verdict): boolean;
	/** First value of a header (lower-case name), trimmed; undefined when absent. */
	header(name: string): string | undefined;
	/** All values of a header, trimmed. */
	headerValues(name: string): string[];
}

/** A filter: one rule. It annotates the context and never throws for odd mail. */
export type MailFilter = (ctx: ClassifyContext) => void;

export function createContext(
	message: ClassifiableMessage,
	options: ResolvedOptions,
): ClassifyContext {
	const headerValues = (name: string): string[] => {
		const value = Object.prototype.hasOwnProperty.call(message.headers, name)
			? message.headers[name]
			: undefined;
		if (value === undefined) return [];
		return (Array.isArray(value) ? value : [value]).map((v) => String(v).trim());
	};
	const ctx: ClassifyContext = {
		message,
		options,
		hits: [],
		hit(verdict, reason, kind) {
			ctx.hits.push(
				kind?.subjectOnly ? { verdict, reason, subjectOnly: true } : { verdict, reason },
			);
		},
		has(verdict) {
			return ctx.hits.some((h) => h.verdict === verdict);
		},
		header: (name) => headerValues(name)[0],
		headerValues,
	};
	return ctx;
}

/** The media type and parameters of a Content-Type value, lower-cased names. */
export function parseContentType(value: string | undefined): {
	type: string;
	params: Record<string, string>;
} {
	const [type = '', ...rest] = (value ?? '').split(';');
	const params: Record<string, string> = {};
	for (const part of rest) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		const key = part.slice(0, eq).trim().toLowerCase();
		params[key] = part
			.slice(eq + 1)
			.trim()
			.replace(/^"(.*)"$/, '$1');
	}
	return { type: type.trim().toLowerCase(), params };
}

/** The first token of a header value, without comments, lower-cased (`auto-replied; x=y` → `auto-replied`). */
export function keyword(value: string | undefined): string {
	return (
		(value ?? '')
			.replace(/\([^()]*\)/g, ' ')
			.split(/[;,\s]+/)
			.filter(Boolean)[0]
			?.toLowerCase() ?? ''
	);
}
