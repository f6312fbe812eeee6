import { MailCasesError, isMailCasesError } from '../../errors';
import { serverTextShown } from '../../secret-echo';
import { networkError } from '../network-errors';
import { exchangeSecrets, type ExchangeProfile, type ResolvedEndpoints } from './exchange-profile';
import type { IdentityFailure } from './msal-network-client';

/**
 * Maps a failed token request (MSAL error, plus what our network client saw) to a message that
 * names the part of the profile that is wrong. AADSTS numbers from
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes .
 */
interface MsalErrorLike {
	errorCode?: string;
	errorMessage?: string;
	errorNo?: string;
	message?: string;
}

function aadstsOf(error: MsalErrorLike, failure?: IdentityFailure): number | undefined {
	if (error.errorNo && /^\d+$/.test(error.errorNo)) return Number(error.errorNo);
	const texts = [error.errorMessage, error.message];
	const body = failure?.body;
	if (body) {
		const codes = body.error_codes;
		if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0];
		if (typeof body.error_description === 'string') texts.push(body.error_description);
	}
	for (const text of texts) {
		const match = /AADSTS(\d+)/.exec(text ?? '');
		if (match) return Number(match[1]);
	}
	return undefined;
}

function firstLine(text: string | undefined): string {
	const line = (text ?? '').split(/\r?\n/)[0];
	const trace = line.search(/Trace ID:/i);
	return (trace >= 0 ? line.slice(0, trace) : line).trim();
}

export function tokenError(
	error: unknown,
	profile: ExchangeProfile,
	endpoints: ResolvedEndpoints,
	failure?: IdentityFailure,
): MailCasesError {
	if (isMailCasesError(error)) return error;
	const e = (error ?? {}) as MsalErrorLike;
	const tenant = profile.tenantId.trim();
	const app = profile.clientId.trim();
	const host = new URL(endpoints.authorityHost).host;
	const isCert = profile.auth.type === 'certificate';
	const code = aadstsOf(e, failure);
	const make = (message: string, field?: string) =>
		new MailCasesError('AUTH_FAILED', message, {
			cause: error,
			details: {
				tenantId: tenant,
				clientId: app,
				authorityHost: host,
				...(code ? { aadsts: code } : {}),
				...(field ? { field } : {}),
			},
		});

	switch (code) {
		case 90002:
			return make(
				`Tenant "${tenant}" was not found at ${host} (AADSTS90002). Check the Directory (tenant) ID, and that the tenant lives in the chosen cloud (${endpoints.cloudName}).`,
				'tenantId',
			);
		case 700016:
		case 700011:
			return make(
				`Application (client) ID "${app}" was not found in tenant "${tenant}" (AADSTS${code}). Check the client ID on the app registration's Overview page, and that the app is registered in (or consented to by) this tenant.`,
				'clientId',
			);
		case 7000229:
			return make(
				`App ${app} has no service principal in tenant "${tenant}" (AADSTS7000229). An administrator of the tenant must grant admin consent to the app.`,
				'clientId',
			);
		case 7000215:
		case 70002:
			return make(
				`The client secret was rejected for app ${app} in tenant "${tenant}" (AADSTS${code}). Paste the secret's Value (not its Secret ID), and check that the secret was not deleted or replaced.`,
				'clientSecret',
			);
		case 7000222:
			return make(
				`The client secret of app ${app} has expired (AADSTS7000222). Create a new secret under Certificates & secrets and paste its Value.`,
				'clientSecret',
			);
		case 700027:
		case 50012:
		case 700023:
		case 50006:
			return make(
				`The certificate was not accepted for app ${app} in tenant "${tenant}" (AADSTS${code}): it is not registered on the app registration, or the private key does not belong to it. Upload the certificate (public part) under Certificates & secrets and use its private key here.`,
				'certificate',
			);
		case 700024:
			return make(
				`The certificate assertion of app ${app} was outside its valid time (AADSTS700024). Check the clock of this machine.`,
				'certificate',
			);
		case 53003:
			return make(
				`Conditional Access in tenant "${tenant}" blocks app ${app} (AADSTS53003). An administrator must allow it.`,
			);
		case 500011:
		case 65001:
			return make(
				`Tenant "${tenant}" does not know the requested resource ${endpoints.scope} for app ${app} (AADSTS${code}). Check the cloud / Graph endpoint and that admin consent was granted.`,
			);
		default:
			break;
	}

	if (failure?.error !== undefined) {
		const net = networkError(failure.error, {
			protocol: 'HTTPS',
			host: new URL(failure.url).hostname,
			port: Number(new URL(failure.url).port) || 443,
			implicitTls: true,
		});
		if (net) {
			const message =
				net.code === 'TLS_CERT_UNTRUSTED'
					? `The TLS certificate of the identity platform at ${host} is not trusted. When a proxy inspects TLS, add its CA certificate to the profile.`
					: `Cannot reach the Microsoft identity platform at ${host}: ${net.message}`;
			return new MailCasesError(net.code, message, {
				cause: error,
				details: { authorityHost: host },
			});
		}
	}
	if (e.errorCode === 'endpoints_resolution_error') {
		const status = failure?.status;
		return make(
			status === 400 || status === 404
				? `Tenant "${tenant}" was not found at ${host} (HTTP ${status} for its OpenID configuration). Check the Directory (tenant) ID and the cloud.`
				: `Could not read the OpenID configuration of tenant "${tenant}" at ${host}${status ? ` (HTTP ${status})` : ''}. Check the tenant ID, the cloud and the network.`,
			'tenantId',
		);
	}
	// texts of Entra ID (or of a proxy that may echo the request with the client secret)
	const shown = (text: string) => serverTextShown(text, exchangeSecrets(profile));
	const description =
		firstLine(
			typeof failure?.body?.error_description === 'string'
				? failure.body.error_description
				: undefined,
		) ||
		firstLine(e.errorMessage) ||
		firstLine(e.message) ||
		'unknown error';
	const kind = isCert ? 'certificate' : 'client secret';
	return make(
		`Microsoft Entra ID refused a token for app ${app} in tenant "${tenant}" (${shown(e.errorCode ?? 'error')}): ${shown(description)}. Check tenant, client ID and ${kind}.`,
	);
}
