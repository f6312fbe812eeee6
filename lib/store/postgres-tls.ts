import type { ConnectionOptions } from 'node:tls';
import { MailCasesError, type ErrorCode } from '../errors';
import { certificateProblem } from '../protocols/network-errors';
import { tlsConnectionOptions } from '../protocols/tls-options';
import type { NormalizedPostgresConfig } from './config';

/**
 * node-postgres `ssl` option for a store (issue #11.8). pg asks the server for TLS
 * (SSLRequest) and hands these options to tls.connect together with the host, so the
 * certificate is checked against the host name or IP address the store names.
 * - 'disable': false, no TLS;
 * - 'require': TLS without certificate check;
 * - 'verify': TLS; the chain must end at the configured CA (else Node's public CAs) and the
 *   certificate must name the host.
 */
export function pgSslOptions(config: NormalizedPostgresConfig): false | ConnectionOptions {
	if (config.ssl === 'disable') return false;
	return config.ssl === 'require'
		? tlsConnectionOptions(config.host, { allowSelfSigned: true })
		: tlsConnectionOptions(config.host, { caPem: config.caPem });
}

const CERT_STATES: Record<string, string> = {
	CERT_HAS_EXPIRED: 'has expired',
	CERT_NOT_YET_VALID: 'is not valid yet',
};

/** Names a certificate is issued for (from Node's error), e.g. "DNS:db.example.com". */
function certificateNames(error: unknown): string | undefined {
	for (
		let e = error as { cert?: { subjectaltname?: unknown }; cause?: unknown } | undefined, i = 0;
		e && i < 4;
		e = e.cause as typeof e, i++
	) {
		const names = e.cert?.subjectaltname;
		if (typeof names === 'string' && names) return names.slice(0, 300);
	}
	return undefined;
}

/**
 * A TLS failure talking to PostgreSQL as a MailCasesError that says what to change in the
 * store credential; undefined for other errors.
 */
export function pgTlsError(
	error: unknown,
	where: string,
	action: string,
): MailCasesError | undefined {
	const make = (code: ErrorCode, problem: string) =>
		new MailCasesError(code, `${where}: could not ${action}: ${problem}`, { cause: error });
	const cert = certificateProblem(error);
	if (cert?.hostMismatch) {
		const names = certificateNames(error);
		return make(
			'TLS_CERT_UNTRUSTED',
			`the server's TLS certificate is not issued for the host name the store uses${names ? ` (the certificate names ${names})` : ''}. Enter a name the certificate names as Host, or have a certificate issued for this host.`,
		);
	}
	if (cert) {
		const state = (cert.code && CERT_STATES[cert.code]) ?? 'is not signed by a trusted CA';
		return make(
			'TLS_CERT_UNTRUSTED',
			`the server's TLS certificate ${state} (${cert.code ?? 'untrusted'}). With SSL "Verify", put the certificate of the CA that signed the server's certificate into "CA Certificate" (empty trusts only public CAs); "Require" encrypts without checking the certificate.`,
		);
	}
	const message = (error as { message?: unknown } | null)?.message;
	if (typeof message === 'string' && /does not support SSL/i.test(message)) {
		return make(
			'TLS_MISMATCH',
			'the server does not offer TLS. Turn on ssl in the server\'s configuration, or set SSL to "Disable" if the network to the server is trusted.',
		);
	}
	return undefined;
}
