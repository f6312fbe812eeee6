import { MailCasesError, isMailCasesError, type ErrorCode } from '../../errors';
import { serverTextShown } from '../../secret-echo';
import { networkError } from '../network-errors';
import { exchangeSecrets, type ExchangeProfile } from './exchange-profile';
import type { HttpResponse } from './http-transport';

/**
 * Graph error bodies follow https://learn.microsoft.com/graph/errors :
 * `{"error":{"code":"…","message":"…","innerError":{…}}}`. Mail endpoints answer with Exchange
 * codes (ErrorAccessDenied, ErrorInvalidUser, ErrorItemNotFound, MailboxNotEnabledForRESTAPI, …).
 */
export type GraphPermission = 'Mail.ReadWrite' | 'Mail.Send';

export interface GraphCallContext {
	/** What we were doing, for the message: "listing mails in folder inbox". */
	what: string;
	/** Application permission the call needs (named on 403). */
	permission?: GraphPermission;
	/** 404 of an item (not of the mailbox) becomes this error instead of NOT_FOUND. */
	notFound?: () => Error;
}

export interface GraphErrorBody {
	status: number;
	codes: string[];
	message: string;
}

export function parseGraphError(response: HttpResponse): GraphErrorBody {
	const codes: string[] = [];
	let message = '';
	try {
		const json = JSON.parse(response.body.toString('utf8')) as { error?: Record<string, unknown> };
		let node: Record<string, unknown> | undefined = json.error;
		message = typeof node?.message === 'string' ? node.message : '';
		for (let depth = 0; node && depth < 5; depth++) {
			if (typeof node.code === 'string') codes.push(node.code);
			node = (node.innerError ?? node.innererror) as Record<string, unknown> | undefined;
		}
	} catch {
		/* not JSON: status only */
	}
	return { status: response.status, codes, message: message.split(/\r?\n/)[0].slice(0, 300) };
}

const MAILBOX_CODES = new Set([
	'ErrorInvalidUser',
	'MailboxNotEnabledForRESTAPI',
	'MailboxNotSupportedForRESTAPI',
	'ErrorNonExistentMailbox',
	'Request_ResourceNotFound',
]);
const ITEM_CODES = new Set([
	'ErrorItemNotFound',
	'itemNotFound',
	'ErrorInvalidIdMalformed',
	'ErrorFolderNotFound',
]);

export function graphHttpError(
	response: HttpResponse,
	profile: ExchangeProfile,
	context: GraphCallContext,
	attempts = 1,
): Error {
	const parsed = parseGraphError(response);
	// codes and message come from the server (or a proxy that may echo the request's secret)
	const shown = (text: string) => serverTextShown(text, exchangeSecrets(profile));
	const status = parsed.status;
	const codes = parsed.codes.map(shown);
	const code0 = codes[0] ?? `HTTP ${status}`;
	const detail = `${code0}${parsed.message ? `: ${shown(parsed.message)}` : ''}`;
	const mailbox = profile.mailbox.trim();
	const app = profile.clientId.trim();
	const has = (set: Set<string>) => codes.some((c) => set.has(c));
	const make = (code: ErrorCode, message: string) =>
		new MailCasesError(code, message, {
			details: {
				httpStatus: status,
				graphCodes: codes,
				mailbox,
				...(context.permission ? { permission: context.permission } : {}),
			},
		});

	if (status === 401) {
		return make(
			'AUTH_FAILED',
			`Microsoft Graph did not accept the access token of app ${app} while ${context.what} (${detail}). Check tenant and cloud of the profile.`,
		);
	}
	if (status === 403) {
		if (codes.includes('MailboxNotEnabledForRESTAPI')) {
			return make(
				'MAILBOX_NOT_FOUND',
				`Mailbox "${mailbox}" cannot be used through Microsoft Graph (MailboxNotEnabledForRESTAPI): it is inactive, soft-deleted, on-premises or has no Exchange Online license.`,
			);
		}
		const permission = context.permission ?? 'Mail.ReadWrite';
		return make(
			'AUTH_FAILED',
			`App ${app} may not access mailbox "${mailbox}" while ${context.what} (${code0}). Add the Microsoft Graph application permission ${permission} to the app registration and grant admin consent; an Exchange application access policy may also exclude this mailbox.`,
		);
	}
	if (status === 404 && has(MAILBOX_CODES)) {
		return make(
			'MAILBOX_NOT_FOUND',
			codes.includes('MailboxNotEnabledForRESTAPI')
				? `Mailbox "${mailbox}" cannot be used through Microsoft Graph (MailboxNotEnabledForRESTAPI): it is inactive, soft-deleted, on-premises or has no Exchange Online license.`
				: `Mailbox "${mailbox}" was not found in tenant "${profile.tenantId.trim()}" (${code0}). Enter the mailbox's user principal name (e.g. alice@contoso.com) or the user's object id.`,
		);
	}
	if (status === 404 || has(ITEM_CODES)) {
		if (context.notFound) return context.notFound();
		return make(
			'NOT_FOUND',
			`Not found while ${context.what} in mailbox "${mailbox}" (${detail}).`,
		);
	}
	if (
		status === 413 ||
		codes.includes('ErrorMessageSizeExceeded') ||
		codes.includes('RequestEntityTooLarge')
	) {
		return make(
			'MESSAGE_TOO_LARGE',
			`The mail is too large for Microsoft Graph while ${context.what} (${code0}). Exchange Online accepts messages up to the mailbox's limit (35 MB by default, 150 MB at most).`,
		);
	}
	if (status === 429 || status === 503 || status === 509) {
		return make(
			'THROTTLED',
			`Microsoft Graph is throttling requests for mailbox "${mailbox}" while ${context.what} (HTTP ${status}${codes[0] ? ` ${codes[0]}` : ''}, ${attempts} attempt${attempts === 1 ? '' : 's'}). It will be tried again later.`,
		);
	}
	if (status >= 500) {
		return make(
			'PROTOCOL_ERROR',
			`Microsoft Graph failed while ${context.what} (HTTP ${status}, ${detail}).`,
		);
	}
	return make(
		'PROTOCOL_ERROR',
		`Microsoft Graph refused the request while ${context.what} (HTTP ${status}, ${detail}).`,
	);
}

/** Socket, DNS and TLS failures talking to Graph. */
export function graphNetworkError(
	error: unknown,
	url: string,
	profile: ExchangeProfile,
	context: GraphCallContext,
): MailCasesError {
	if (isMailCasesError(error)) return error;
	const parsed = new URL(url);
	const endpoint = {
		protocol: 'HTTPS',
		host: parsed.hostname,
		port: Number(parsed.port) || 443,
		implicitTls: true,
	};
	const net = networkError(error, endpoint);
	if (net) {
		const message =
			net.code === 'TLS_CERT_UNTRUSTED'
				? `The TLS certificate of Microsoft Graph at ${parsed.host} is not trusted while ${context.what}. When a proxy inspects TLS, add its CA certificate to the profile.`
				: `${net.message} (while ${context.what})`;
		return new MailCasesError(net.code, message, { cause: error, details: net.details });
	}
	const text = serverTextShown(
		error instanceof Error ? error.message : String(error),
		exchangeSecrets(profile),
	);
	return new MailCasesError(
		'CONNECTION_LOST',
		`Request to Microsoft Graph at ${parsed.host} failed while ${context.what}: ${text}`,
		{ cause: error },
	);
}
