import {
	constants,
	createHash,
	createHmac,
	timingSafeEqual,
	verify,
	type KeyObject,
} from 'node:crypto';

export const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function decodeSegment(segment: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** HS256 JWT, used for the stand-in's access tokens (real ones are RS256; the client never reads them). */
export function signHs256(claims: Record<string, unknown>, key: Buffer): string {
	const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify(claims))}`;
	return `${input}.${b64url(createHmac('sha256', key).update(input).digest())}`;
}

export function verifyHs256(token: string, key: Buffer): Record<string, unknown> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
	const actual = Buffer.from(parts[2], 'base64url');
	if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
	try {
		return decodeSegment(parts[1]);
	} catch {
		return undefined;
	}
}

export interface ParsedAssertion {
	header: Record<string, unknown>;
	claims: Record<string, unknown>;
	signingInput: Buffer;
	signature: Buffer;
}

export function parseJwt(token: string): ParsedAssertion | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		return {
			header: decodeSegment(parts[0]),
			claims: decodeSegment(parts[1]),
			signingInput: Buffer.from(`${parts[0]}.${parts[1]}`),
			signature: Buffer.from(parts[2], 'base64url'),
		};
	} catch {
		return undefined;
	}
}

/**
 * Verifies a client assertion signature as Entra ID does for certificate credentials
 * (learn.microsoft.com/entra/identity-platform/certificate-credentials): PS256 with header
 * x5t#S256, or the older RS256 with x5t (SHA-1 thumbprint).
 */
export function verifyRsaSignature(assertion: ParsedAssertion, publicKey: KeyObject): boolean {
	const alg = assertion.header.alg;
	if (alg === 'PS256') {
		return verify(
			'sha256',
			assertion.signingInput,
			{
				key: publicKey,
				padding: constants.RSA_PKCS1_PSS_PADDING,
				saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
			},
			assertion.signature,
		);
	}
	if (alg === 'RS256') {
		return verify(
			'sha256',
			assertion.signingInput,
			{ key: publicKey, padding: constants.RSA_PKCS1_PADDING },
			assertion.signature,
		);
	}
	return false;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
