import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import { MailCasesError, isMailCasesError } from '../../errors';
import {
	certificateCredential,
	exchangeEndpoints,
	exchangeSecrets,
	validateExchangeProfile,
	type ExchangeProfile,
	type ResolvedEndpoints,
} from './exchange-profile';
import type { HttpTransport } from './http-transport';
import { MsalNetworkClient } from './msal-network-client';
import { tokenError } from './token-errors';
import { serverTextShown } from '../../secret-echo';

/** Anything that hands out Graph access tokens (the MSAL provider below, or a test double). */
export interface AccessTokenSource {
	/** A valid token; `forceRefresh` bypasses the cache (after Graph answered 401). */
	getToken(forceRefresh?: boolean): Promise<string>;
}

/**
 * App-only tokens for Microsoft Graph through MSAL's ConfidentialClientApplication
 * (client credentials flow with a client secret or a certificate assertion).
 * MSAL caches the token in memory and asks for a new one shortly (5 minutes) before it
 * expires; concurrent callers share one request. A custom authority host is passed to MSAL as
 * `knownAuthorities`, which makes it read that host's OpenID configuration instead of running
 * instance discovery against login.microsoftonline.com.
 */
export class GraphTokenProvider implements AccessTokenSource {
	private app?: ConfidentialClientApplication;
	private pending?: Promise<string>;
	private pendingForced?: Promise<string>;
	private readonly network: MsalNetworkClient;
	readonly endpoints: ResolvedEndpoints;

	constructor(
		private readonly profile: ExchangeProfile,
		transport: HttpTransport,
	) {
		validateExchangeProfile(profile);
		this.endpoints = exchangeEndpoints(profile);
		this.network = new MsalNetworkClient(transport);
	}

	private client(): ConfidentialClientApplication {
		if (this.app) return this.app;
		const auth = this.profile.auth;
		const config: Configuration = {
			auth: {
				clientId: this.profile.clientId.trim(),
				authority: this.endpoints.authority,
				...(this.endpoints.knownAuthority
					? { knownAuthorities: [this.endpoints.knownAuthority] }
					: {}),
			},
			system: {
				networkClient: this.network,
				loggerOptions: {
					piiLoggingEnabled: false,
					logLevel: LogLevel.Error,
					loggerCallback: () => undefined,
				},
			},
		};
		if (auth.type === 'secret') {
			config.auth.clientSecret = auth.clientSecret;
		} else {
			const cert = certificateCredential(auth);
			config.auth.clientCertificate = cert.thumbprintSha256
				? { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey }
				: { thumbprint: cert.thumbprintSha1, privateKey: cert.privateKey };
		}
		try {
			this.app = new ConfidentialClientApplication(config);
		} catch (error) {
			throw new MailCasesError(
				'INVALID_INPUT',
				`The Exchange profile cannot be used: ${serverTextShown((error as Error).message, exchangeSecrets(this.profile))}`,
				{ cause: error },
			);
		}
		return this.app;
	}

	getToken(forceRefresh = false): Promise<string> {
		if (forceRefresh) {
			this.pendingForced ??= this.acquire(true).finally(() => (this.pendingForced = undefined));
			return this.pendingForced;
		}
		if (this.pendingForced) return this.pendingForced;
		this.pending ??= this.acquire(false).finally(() => (this.pending = undefined));
		return this.pending;
	}

	private async acquire(forceRefresh: boolean): Promise<string> {
		this.network.lastFailure = undefined;
		try {
			const result = await this.client().acquireTokenByClientCredential({
				scopes: [this.endpoints.scope],
				skipCache: forceRefresh,
			});
			if (!result?.accessToken) {
				throw new MailCasesError(
					'AUTH_FAILED',
					`Microsoft Entra ID returned no access token for app ${this.profile.clientId.trim()}.`,
				);
			}
			return result.accessToken;
		} catch (error) {
			if (isMailCasesError(error)) throw error;
			throw tokenError(error, this.profile, this.endpoints, this.network.lastFailure);
		}
	}
}
