import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the handlers see it. */
export interface Exchange {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	body: Buffer;
	/** Set once the response was written (for the request log). */
	status?: number;
}

export function send(
	ex: Exchange,
	status: number,
	body?: Buffer | string,
	headers: Record<string, string> = {},
): void {
	ex.status = status;
	const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
	ex.res.writeHead(status, {
		'request-id': randomUUID(),
		'client-request-id': String(ex.req.headers['client-request-id'] ?? randomUUID()),
		...(payload ? { 'Content-Length': String(payload.length) } : { 'Content-Length': '0' }),
		...headers,
	});
	ex.res.end(payload);
}

export function json(
	ex: Exchange,
	status: number,
	value: unknown,
	headers: Record<string, string> = {},
): void {
	send(ex, status, JSON.stringify(value), {
		'Content-Type':
			'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
		...headers,
	});
}

/** Graph error body (learn.microsoft.com/graph/errors). */
export function graphError(
	ex: Exchange,
	status: number,
	code: string,
	message: string,
	headers: Record<string, string> = {},
): void {
	json(
		ex,
		status,
		{
			error: {
				code,
				message,
				innerError: {
					date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
					'request-id': randomUUID(),
					'client-request-id': randomUUID(),
				},
			},
		},
		headers,
	);
}

/**
 * Error body of the Microsoft identity platform token endpoint (v2-oauth2-client-creds-grant-flow,
 * "Error response"; reference-error-codes).
 */
export function aadError(
	ex: Exchange,
	status: number,
	error: string,
	code: number,
	description: string,
): void {
	const traceId = randomUUID();
	const correlationId = randomUUID();
	const timestamp = new Date()
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d{3}Z$/, 'Z');
	json(ex, status, {
		error,
		error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
		error_codes: [code],
		timestamp,
		trace_id: traceId,
		correlation_id: correlationId,
		error_uri: `https://login.microsoftonline.com/error?code=${code}`,
	});
}
