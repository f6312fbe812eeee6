import { MailCasesError } from '../../errors';
import {
	exchangeEndpoints,
	validateExchangeProfile,
	type ExchangeProfile,
	type ResolvedEndpoints,
} from './exchange-profile';
import {
	graphHttpError,
	graphNetworkError,
	parseGraphError,
	type GraphCallContext,
} from './graph-errors';
import { HttpTransport, type HttpResponse } from './http-transport';
import { GraphTokenProvider, type AccessTokenSource } from './token-provider';

/**
 * A small Microsoft Graph client on plain HTTPS.
 *
 * Why not @microsoft/microsoft-graph-client: we use a dozen mail endpoints and need exact
 * control over retries (Retry-After, bounded), raw bodies (`$value`, MIME upload) and error
 * mapping. The SDK adds a dependency for little of that, and silently drops the Authorization
 * header for any host not in its built-in list unless `customHosts` is set — a trap for national
 * or custom clouds and proxies, which here would surface only as a puzzling 401.
 */
export interface RetryPolicy {
	/** Retries of a throttled (429/503/504) request. Default 4. */
	maxRetries: number;
	/** Longest single wait we accept from Retry-After; longer → THROTTLED now. Default 120 s. */
	maxRetryAfterMs: number;
	/** Wait when the answer has no Retry-After; doubles per retry. Default 1 s. */
	baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
	maxRetries: 4,
	maxRetryAfterMs: 120_000,
	baseDelayMs: 1_000,
};

export interface GraphCall extends GraphCallContext {
	method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
	/** Path below /v1.0 (`/users/…`) or an absolute URL on the Graph host (`@odata.nextLink`). */
	path: string;
	query?: Record<string, string | number | undefined>;
	json?: unknown;
	body?: Buffer | string;
	contentType?: string;
	headers?: Record<string, string>;
	/** Statuses that are not errors (besides 2xx), e.g. 404 for "look up, may be missing". */
	accept?: number[];
	/** Pre-authenticated URL (upload session): send no token; any https host. */
	anonymous?: boolean;
}

export interface GraphClientOptions {
	tokens?: AccessTokenSource;
	transport?: HttpTransport;
	retry?: Partial<RetryPolicy>;
	/** For tests: replaces setTimeout-based waiting. */
	sleep?: (ms: number) => Promise<void>;
}

/** 429/503 mean "not processed, come back later"; 504 may hide a processed request, so only idempotent ones repeat it. */
const RETRYABLE = new Set([429, 503]);
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE', 'PATCH']);

export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
	if (!header) return undefined;
	const value = header.trim();
	if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class GraphClient {
	readonly endpoints: ResolvedEndpoints;
	readonly tokens: AccessTokenSource;
	private readonly transport: HttpTransport;
	private readonly retry: RetryPolicy;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly origin: string;

	constructor(
		readonly profile: ExchangeProfile,
		options: GraphClientOptions = {},
	) {
		validateExchangeProfile(profile);
		this.endpoints = exchangeEndpoints(profile);
		this.origin = new URL(this.endpoints.graphEndpoint).origin;
		this.transport =
			options.transport ??
			new HttpTransport({ caPem: profile.caPem, timeoutMs: profile.timeoutMs });
		this.tokens = options.tokens ?? new GraphTokenProvider(profile, this.transport);
		this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
		this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
	}

	/** `/users/{mailbox}` with the mailbox encoded. */
	get userPath(): string {
		return `/users/${encodeURIComponent(this.profile.mailbox.trim())}`;
	}

	private url(call: GraphCall): string {
		let url: URL;
		if (/^https:\/\//i.test(call.path)) {
			url = new URL(call.path);
			// Never send the token to another host than the configured Graph endpoint.
			if (!call.anonymous && url.origin !== this.origin) {
				throw new MailCasesError(
					'PROTOCOL_ERROR',
					`Microsoft Graph pointed to another host (${url.host}) while ${call.what}; not following it.`,
				);
			}
		} else {
			url = new URL(`${this.endpoints.graphBase}${call.path}`);
		}
		for (const [name, value] of Object.entries(call.query ?? {})) {
			if (value !== undefined) url.searchParams.set(name, String(value));
		}
		return url.toString();
	}

	/** Sends a request with token, throttling retries and one token refresh on 401. */
	async request(call: GraphCall): Promise<HttpResponse> {
		const url = this.url(call);
		let body = call.body;
		let contentType = call.contentType;
		if (call.json !== undefined) {
			body = JSON.stringify(call.json);
			contentType = 'application/json';
		}
		let refreshed = false;
		let forceToken = false;
		let networkRetried = false;
		let throttled = 0;
		for (let attempt = 1; ; attempt++) {
			const headers: Record<string, string> = {
				Accept: 'application/json',
				...(call.headers ?? {}),
			};
			if (contentType) headers['Content-Type'] = contentType;
			if (!call.anonymous) {
				headers.Authorization = `Bearer ${await this.tokens.getToken(forceToken)}`;
				forceToken = false;
			}
			let response: HttpResponse;
			try {
				response = await this.transport.request({ method: call.method, url, headers, body });
			} catch (error) {
				const code = (error as { code?: string }).code;
				if (
					!networkRetried &&
					IDEMPOTENT.has(call.method) &&
					(code === 'ECONNRESET' || code === 'EPIPE')
				) {
					// A keep-alive socket the server closed meanwhile: once more on a fresh one.
					networkRetried = true;
					continue;
				}
				throw graphNetworkError(error, url, this.profile, call);
			}
			if (response.status < 400 || call.accept?.includes(response.status)) return response;
			if (response.status === 401 && !call.anonymous && !refreshed) {
				const { codes } = parseGraphError(response);
				if (!codes.length || codes.includes('InvalidAuthenticationToken')) {
					// Expired or revoked token: one new token, one more try.
					refreshed = true;
					forceToken = true;
					continue;
				}
			}
			const retryable =
				RETRYABLE.has(response.status) || (response.status === 504 && IDEMPOTENT.has(call.method));
			if (retryable && throttled < this.retry.maxRetries) {
				const advised = retryAfterMs(response.headers['retry-after']);
				const wait = advised ?? this.retry.baseDelayMs * 2 ** throttled;
				if (wait <= this.retry.maxRetryAfterMs) {
					throttled++;
					await this.sleep(wait);
					continue;
				}
			}
			throw graphHttpError(response, this.profile, call, attempt);
		}
	}

	async json<T>(call: GraphCall): Promise<T> {
		const response = await this.request(call);
		if (!response.body.length) return {} as T;
		try {
			return JSON.parse(response.body.toString('utf8')) as T;
		} catch (error) {
			throw new MailCasesError(
				'PROTOCOL_ERROR',
				`Microsoft Graph answered with invalid JSON while ${call.what}.`,
				{ cause: error },
			);
		}
	}

	async buffer(call: GraphCall): Promise<Buffer> {
		return (await this.request(call)).body;
	}

	/** Yields the `value` arrays of a collection, following `@odata.nextLink`. */
	async *pages<T>(call: GraphCall): AsyncGenerator<T[], string | undefined> {
		let next: GraphCall | undefined = { ...call, method: 'GET' };
		while (next) {
			const page: { value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } =
				await this.json(next);
			yield page.value ?? [];
			if (page['@odata.deltaLink']) return page['@odata.deltaLink'];
			next = page['@odata.nextLink']
				? { ...call, method: 'GET', path: page['@odata.nextLink'], query: undefined }
				: undefined;
		}
		return undefined;
	}

	close(): void {
		this.transport.close();
	}
}
