import { networkError } from '../../../lib/protocols/network-errors';

const endpoint = { protocol: 'SMTP', host: 'mail.example.test', port: 587, implicitTls: false };
const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('network error mapping (R-OUT-7, R-IN-3: errors a user can act on)', () => {
	test.each([
		['ENOTFOUND', 'HOST_NOT_FOUND', /could not be resolved/],
		['EAI_AGAIN', 'HOST_NOT_FOUND', /could not be resolved/],
		['ECONNREFUSED', 'CONNECTION_REFUSED', /Connection refused/],
		['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_CERT_UNTRUSTED', /not trusted/],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS_CERT_UNTRUSTED', /not trusted/],
		['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_CERT_UNTRUSTED', /not valid for the name/],
		['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_MISMATCH', /TLS/],
		['ETIMEDOUT', 'CONNECTION_TIMEOUT', /implicit-TLS port/],
	])('%s → %s', (code, expected, message) => {
		const mapped = networkError(err(code), endpoint);
		expect(mapped?.code).toBe(expected);
		expect(mapped?.message).toMatch(message);
		expect(mapped?.message).toContain('mail.example.test');
	});

	test('codes are found in the cause chain', () => {
		const wrapped = Object.assign(new Error('outer'), { cause: err('ECONNREFUSED') });
		expect(networkError(wrapped, endpoint)?.code).toBe('CONNECTION_REFUSED');
	});

	test('other errors are left to the protocol', () => {
		expect(networkError(new Error('535 5.7.8 Authentication failed'), endpoint)).toBeUndefined();
	});
});
