import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { isMailCasesError, MailCasesError, type ErrorCode } from '../../lib/errors';
import { runStepsSoFar } from './custom-data';
import { describeMail, doneFactsOf, mailFactsOf } from './run-facts';

/** Codes that describe a remote system's failure (server, network) rather than bad input. */
const REMOTE_CODES = new Set<ErrorCode>([
	'HOST_NOT_FOUND',
	'CONNECTION_REFUSED',
	'CONNECTION_TIMEOUT',
	'CONNECTION_LOST',
	'TLS_MISMATCH',
	'TLS_CERT_UNTRUSTED',
	'TLS_FAILED',
	'AUTH_FAILED',
	'AUTH_REQUIRED',
	'RECIPIENT_REJECTED',
	'SENDER_REJECTED',
	'MESSAGE_REJECTED',
	'MAILBOX_NOT_FOUND',
	'PROTOCOL_ERROR',
	'THROTTLED',
	'STORE_UNAVAILABLE',
]);

/**
 * Maps an engine error to n8n's error types: remote failures → NodeApiError, everything else →
 * NodeOperationError. Only our own message and code travel; the cause (which may hold server
 * replies) is not attached. With an item index it is stamped on the error, also on an n8n error
 * that already exists (`error.context.itemIndex`).
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	const nodeError = nodeErrorOf(node, error, itemIndex);
	if (itemIndex !== undefined) nodeError.context.itemIndex = itemIndex;
	return nodeError;
}

function nodeErrorOf(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (isMailCasesError(error)) {
		const description = `Error code ${error.code}`;
		if (REMOTE_CODES.has(error.code)) {
			return new NodeApiError(node, { message: error.message, code: error.code } as JsonObject, {
				message: error.message,
				description,
				itemIndex,
			});
		}
		return new NodeOperationError(node, error.message, { description, itemIndex });
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, { itemIndex });
}

/** Message for a credential test result. */
export function errorMessage(error: unknown): string {
	if (isMailCasesError(error)) return error.message;
	return error instanceof Error ? error.message : String(error);
}

/** Steps of the run's outcome (custom data) that the item's JSON may not show. */
const RUN_STEP_FACTS: Record<string, string> = {
	'agents notified': 'agents notified',
	'mail sent': 'mail sent',
	'acknowledgement sent': 'acknowledgement sent',
	'acknowledgement rejected': 'acknowledgement rejected permanently (recorded on the case)',
	'notification rejected': 'notification rejected permanently (recorded on the case)',
	forwarded: 'mail forwarded',
};

/**
 * #14.4: what a message adds about the item's mail and what the nodes before did with it:
 * ` Mail: "Anfrage" from erika@example.com (Message-ID <a@b>). Already done: case 1042 created;
 * agents notified (2 recipients).` — '' for an item that is no mail and carries no case.
 */
export function itemContext(json: IDataObject | undefined, runSteps: string[] = []): string {
	const mail = mailFactsOf(json);
	const done = doneFactsOf(json);
	// what another branch of this run did with the (one) mail, e.g. the agents notified
	for (const step of runSteps) {
		const fact = RUN_STEP_FACTS[step];
		if (fact && !done.some((d) => d.startsWith(fact))) done.push(fact);
	}
	const parts: string[] = [];
	if (mail) parts.push(`Mail: ${describeMail(mail)}.`);
	if (done.length) parts.push(`Already done: ${done.join('; ')}.`);
	return parts.join(' ');
}

/**
 * The error of a failed item with its mail and the work already done added to the message
 * (the code, the original message and its advice stay; the original error is the cause). An
 * error that already names the context is returned as it is.
 */
export function withItemContext(
	error: unknown,
	json: IDataObject | undefined,
	runSteps: string[] = [],
): unknown {
	const context = itemContext(json, runSteps);
	if (!context) return error;
	if (isMailCasesError(error)) {
		if (error.message.includes(context)) return error;
		return new MailCasesError(error.code, joined(error.message, context), {
			cause: error,
			details: error.details,
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (!error.message.includes(context)) error.message = joined(error.message, context);
		return error;
	}
	if (error instanceof Error) {
		if (error.message.includes(context)) return error;
		const wrapped = new Error(joined(error.message, context), { cause: error });
		wrapped.name = error.name;
		return wrapped;
	}
	return new Error(joined(String(error), context));
}

/** `message. context` — a message without closing punctuation gets a full stop. */
function joined(message: string, context: string): string {
	const text = message.trimEnd();
	return /[.!?:)]$/.test(text) ? `${text} ${context}` : `${text}. ${context}`;
}

/**
 * What a node outputs for an input item that failed: with "continue on fail" (On Error →
 * Continue) the package's error item `{ ...input.json, error, code }` paired with its input —
 * `code` is the MailCasesError code (e.g. "NOT_FOUND"), null for an error that did not come
 * from the package (e.g. an expression n8n could not resolve) — otherwise the n8n error is
 * thrown with the item index.
 */
export function failedItem(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): INodeExecutionData {
	error = withItemContext(error, ctx.getInputData()[itemIndex]?.json, runStepsSoFar(ctx));
	const nodeError = toNodeError(ctx.getNode(), error, itemIndex);
	if (!ctx.continueOnFail()) throw nodeError;
	return {
		json: {
			...ctx.getInputData()[itemIndex]?.json,
			error: nodeError.message,
			code: isMailCasesError(error) ? error.code : null,
		},
		pairedItem: { item: itemIndex },
	};
}
