import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { isMailCasesError, type ErrorCode } from '../../lib/errors';

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
