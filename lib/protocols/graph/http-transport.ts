import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * HTTPS for the token endpoint (through MSAL's network client) and for Graph.
 *
 * Why node:https and not the global fetch: the profile may carry a private CA (a TLS-inspecting
 * proxy, the test stand-in), and fetch can only be given one through undici's Agent, which is not
 * a dependency of this package (and NODE_EXTRA_CA_CERTS is read once at process start, for all of
 * n8n). node:https takes `ca` per agent. One keep-alive agent per profile serves all requests.
 */
export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	body?: Buffer | string;
}

export interface HttpResponse {
	status: number;
	/** Lower-case header names; repeated headers joined with ", ". */
	headers: Record<string, string>;
	body: Buffer;
}

export interface HttpTransportOptions {
	caPem?: string;
	/** Socket inactivity timeout per request. Default 30 s. */
	timeoutMs?: number;
	/** Largest response body accepted (protects memory). Default 200 MB. */
	maxResponseBytes?: number;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

export class HttpTransport {
	private agent?: https.Agent;
	private readonly timeoutMs: number;
	private readonly maxResponseBytes: number;

	constructor(private readonly options: HttpTransportOptions = {}) {
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.maxResponseBytes = options.maxResponseBytes ?? 200 * 1024 * 1024;
	}

	private getAgent(): https.Agent {
		this.agent ??= new https.Agent({
			keepAlive: true,
			maxSockets: 8,
			minVersion: 'TLSv1.2',
			...(this.options.caPem?.trim() ? { ca: [this.options.caPem] } : {}),
		});
		return this.agent;
	}

	request(req: HttpRequest): Promise<HttpResponse> {
		const url = new URL(req.url);
		if (url.protocol !== 'https:') {
			return Promise.reject(
				Object.assign(new Error(`Refusing a non-https URL (${url.protocol}//${url.host})`), {
					code: 'ERR_INSECURE_URL',
				}),
			);
		}
		const body =
			req.body === undefined
				? undefined
				: Buffer.isBuffer(req.body)
					? req.body
					: Buffer.from(req.body, 'utf8');
		const headers: Record<string, string> = { ...(req.headers ?? {}) };
		if (body) headers['Content-Length'] = String(body.length);
		return new Promise<HttpResponse>((resolve, reject) => {
			const request = https.request(
				url,
				{ method: req.method, headers, agent: this.getAgent(), timeout: this.timeoutMs },
				(response) => {
					const chunks: Buffer[] = [];
					let size = 0;
					response.on('data', (chunk: Buffer) => {
						size += chunk.length;
						if (size > this.maxResponseBytes) {
							request.destroy(
								Object.assign(new Error(`Response larger than ${this.maxResponseBytes} bytes`), {
									code: 'ERR_RESPONSE_TOO_LARGE',
								}),
							);
							return;
						}
						chunks.push(chunk);
					});
					response.on('end', () =>
						resolve({
							status: response.statusCode ?? 0,
							headers: flatten(response.headers),
							body: Buffer.concat(chunks),
						}),
					);
					response.on('error', reject);
				},
			);
			request.on('timeout', () =>
				request.destroy(Object.assign(new Error('Request timed out'), { code: 'ETIMEDOUT' })),
			);
			request.on('error', reject);
			request.end(body);
		});
	}

	/** Closes idle keep-alive sockets; a later request opens new ones. */
	close(): void {
		this.agent?.destroy();
		this.agent = undefined;
	}
}
