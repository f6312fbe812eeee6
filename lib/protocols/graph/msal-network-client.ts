import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { HttpTransport } from './http-transport';

/** What the last failed request to the identity platform looked like (MSAL swallows the details). */
export interface IdentityFailure {
	url: string;
	status?: number;
	/** Parsed JSON body of an error answer (AADSTS error), when there was one. */
	body?: Record<string, unknown>;
	/** Socket/TLS/DNS error, when no answer came. */
	error?: unknown;
}

/**
 * MSAL's network client (system.networkClient) on our HTTPS transport, so the token endpoint
 * trusts the profile's CA like Graph does. MSAL reports a failed metadata request only as
 * "endpoints_resolution_error" and a socket error only as "network_error"; this client keeps
 * the last failure so error messages can say what really happened (unknown tenant, host not
 * found, untrusted certificate).
 */
export class MsalNetworkClient implements INetworkModule {
	lastFailure?: IdentityFailure;

	constructor(private readonly transport: HttpTransport) {}

	sendGetRequestAsync<T>(
		url: string,
		options?: NetworkRequestOptions,
	): Promise<NetworkResponse<T>> {
		return this.send<T>('GET', url, options);
	}

	sendPostRequestAsync<T>(
		url: string,
		options?: NetworkRequestOptions,
	): Promise<NetworkResponse<T>> {
		return this.send<T>('POST', url, options);
	}

	private async send<T>(
		method: 'GET' | 'POST',
		url: string,
		options?: NetworkRequestOptions,
	): Promise<NetworkResponse<T>> {
		let response;
		try {
			response = await this.transport.request({
				method,
				url,
				headers: options?.headers,
				body: options?.body,
			});
		} catch (error) {
			this.lastFailure = { url, error };
			throw error;
		}
		let body: unknown;
		try {
			body = response.body.length ? JSON.parse(response.body.toString('utf8')) : {};
		} catch {
			const failure = new Error(
				`The identity platform answered HTTP ${response.status} with a body that is not JSON`,
			);
			this.lastFailure = { url, status: response.status, error: failure };
			throw failure;
		}
		if (response.status >= 400) {
			this.lastFailure = {
				url,
				status: response.status,
				body: (body ?? {}) as Record<string, unknown>,
			};
		} else {
			this.lastFailure = undefined;
		}
		return { status: response.status, headers: response.headers, body: body as T };
	}
}
