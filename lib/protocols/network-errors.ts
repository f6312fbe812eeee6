import { MailCasesError, isMailCasesError, type ErrorCode } from '../errors';

/** Where a connection went: used to build messages a user can act on. */
export interface Endpoint {
	/** Human name of the protocol as the user chose it: "SMTP", "SMTPS", "IMAP", "POP3S", ... */
	protocol: string;
	host: string;
	port: number;
	/** True when the connection starts with TLS (smtps, imaps, pop3s). */
	implicitTls: boolean;
}

const CERT_CODES = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_GET_ISSUER_CERT',
	'CERT_UNTRUSTED',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'HOSTNAME_MISMATCH',
]);

const TLS_MISMATCH_CODES = new Set([
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'ERR_SSL_PACKET_LENGTH_TOO_LONG',
	'ERR_SSL_HTTP_REQUEST',
	'ERR_SSL_UNKNOWN_PROTOCOL',
	'EPROTO',
]);

/** Walks err, err.cause, ... and collects every `code` and message seen. */
function collect(error: unknown): { codes: string[]; messages: string[] } {
	const codes: string[] = [];
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && depth < 6; depth++) {
		const e = current as {
			code?: unknown;
			errno?: unknown;
			message?: unknown;
			cause?: unknown;
			reason?: unknown;
		};
		if (typeof e.code === 'string') codes.push(e.code);
		if (typeof e.errno === 'string') codes.push(e.errno);
		if (typeof e.message === 'string') {
			messages.push(e.message);
			// Some libraries keep Node's code only in the text ("connect ECONNREFUSED 127.0.0.1:25").
			for (const match of e.message.matchAll(/\b(E[A-Z]{4,}|ERR_[A-Z_]+)\b/g)) codes.push(match[1]);
		}
		if (typeof e.reason === 'string') messages.push(e.reason);
		current = e.cause;
	}
	return { codes, messages };
}

/** A TLS certificate that was not accepted: Node's code, and whether only the name did not fit. */
export interface CertificateProblem {
	code?: string;
	hostMismatch: boolean;
}

function findCertificateProblem(
	codes: string[],
	text: string,
	loose: boolean,
): CertificateProblem | undefined {
	const code = codes.find((c) => CERT_CODES.has(c));
	if (
		!code &&
		!(
			loose &&
			/self[- ]signed certificate|unable to verify|certificate has expired|altnames/i.test(text)
		)
	)
		return undefined;
	return { code, hostMismatch: code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames/i.test(text) };
}

/** The certificate failure in an error or its causes, identified by Node's code; else undefined. */
export function certificateProblem(error: unknown): CertificateProblem | undefined {
	const { codes, messages } = collect(error);
	return findCertificateProblem(codes, messages.join(' | '), false);
}

function where(endpoint: Endpoint): string {
	return `${endpoint.protocol} server ${endpoint.host}:${endpoint.port}`;
}

/**
 * Maps socket, DNS and TLS failures (from any client library) to a MailCasesError.
 * Returns undefined when the error is not a network-level failure. With `strict`, only errors
 * identified by a code are mapped (no guessing from words such as "timeout" or "TLS"), so a
 * protocol module can map its own codes first and fall back to the loose mapping afterwards.
 */
export function networkError(
	error: unknown,
	endpoint: Endpoint,
	options: { strict?: boolean } = {},
): MailCasesError | undefined {
	if (isMailCasesError(error)) return error;
	const { codes, messages } = collect(error);
	const text = messages.join(' | ');
	const has = (code: string) => codes.includes(code);
	const make = (code: ErrorCode, message: string) =>
		new MailCasesError(code, message, {
			cause: error,
			details: { host: endpoint.host, port: endpoint.port },
		});

	if (has('ENOTFOUND') || has('EAI_AGAIN') || has('EAI_NONAME') || /getaddrinfo/i.test(text)) {
		return make(
			'HOST_NOT_FOUND',
			`Host not found: "${endpoint.host}" could not be resolved. Check the host name.`,
		);
	}
	if (has('ECONNREFUSED')) {
		return make(
			'CONNECTION_REFUSED',
			`Connection refused by ${where(endpoint)}: nothing listens on that port. Check host and port.`,
		);
	}
	if (has('EHOSTUNREACH') || has('ENETUNREACH')) {
		return make(
			'CONNECTION_REFUSED',
			`${where(endpoint)} is not reachable from here (no route to host).`,
		);
	}
	const cert = findCertificateProblem(codes, text, !options.strict);
	if (cert) {
		return make(
			'TLS_CERT_UNTRUSTED',
			cert.hostMismatch
				? `The TLS certificate of ${where(endpoint)} is not valid for the name "${endpoint.host}". Use the host name the certificate was issued for.`
				: `The TLS certificate of ${where(endpoint)} is not trusted (${cert.code ?? 'untrusted issuer'}). Add the server's CA certificate to the profile, or enable "Allow Self-Signed Certificates" if you trust this server.`,
		);
	}
	if (
		codes.some((c) => TLS_MISMATCH_CODES.has(c)) ||
		/wrong version number|packet length too long|unknown protocol/i.test(text)
	) {
		return make(
			'TLS_MISMATCH',
			endpoint.implicitTls
				? `TLS handshake with ${where(endpoint)} failed: the port does not speak implicit TLS. Use the plain/STARTTLS protocol for this port, or the implicit-TLS port.`
				: `TLS mismatch with ${where(endpoint)}: the server's answer is not what the chosen protocol expects. Check protocol and port.`,
		);
	}
	if (options.strict) return undefined;
	if (
		has('ECONNRESET') ||
		has('EPIPE') ||
		has('ECONNECTION') ||
		/socket hang up|closed unexpectedly|connection closed/i.test(text)
	) {
		return make(
			'CONNECTION_LOST',
			endpoint.implicitTls
				? `${where(endpoint)} closed the connection during the TLS handshake. Check that the port speaks implicit TLS.`
				: `${where(endpoint)} closed the connection unexpectedly.`,
		);
	}
	if (
		has('ETIMEDOUT') ||
		has('ETIMEOUT') ||
		/timed? ?out|timeout|greeting never received/i.test(text)
	) {
		return make(
			'CONNECTION_TIMEOUT',
			endpoint.implicitTls
				? `Timeout talking to ${where(endpoint)}: no TLS handshake completed. Check host, port and that the port speaks implicit TLS.`
				: `Timeout talking to ${where(endpoint)}: no greeting from the server. Check host and port; if this is an implicit-TLS port (465, 993, 995), choose the TLS protocol.`,
		);
	}
	if (/\btls\b|\bssl\b|handshake/i.test(text)) {
		return make(
			'TLS_FAILED',
			`TLS with ${where(endpoint)} failed. Check the TLS setting of the profile.`,
		);
	}
	return undefined;
}
