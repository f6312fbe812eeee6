import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';
import { MailCasesError } from '../../../lib/errors';
import { testSmtpProfile } from '../../../lib/protocols/smtp/smtp-connection-test';
import type { SmtpProfile } from '../../../lib/protocols/smtp/smtp-profile';
import { MailCasesSendMail } from '../../../nodes/MailCasesSendMail/MailCasesSendMail.node';
import { claimUser, getStack, stackUser, waitForMail } from '../../support/mail-stack';
import { closedPort, silentServer, smtpProfile } from './fixtures';

async function failure(profile: SmtpProfile): Promise<MailCasesError> {
	try {
		await testSmtpProfile(profile);
	} catch (error) {
		expect(error).toBeInstanceOf(MailCasesError);
		return error as MailCasesError;
	}
	throw new Error('expected the SMTP test to fail');
}

/** What n8n's credential dialog calls when the user clicks "Test". */
async function dialogTest(data: Record<string, unknown>) {
	const node = new MailCasesSendMail();
	const credential = {
		id: '1',
		name: 'smtp',
		type: 'mailCasesSmtp',
		data,
	} as ICredentialsDecrypted;
	return node.methods.credentialTest.mailCasesSmtpTest.call(
		{} as ICredentialTestFunctions,
		credential,
	);
}

describe('SMTP profile test settings against Postfix (R-OUT-1..3, R-OUT-7)', () => {
	test('port-25 relay without login: connects, STARTTLS when offered', async () => {
		const result = await testSmtpProfile(smtpProfile('relay'));
		expect(result.message).toMatch(/^Connected to SMTP\+STARTTLS 127\.0\.0\.1:\d+ without login/);
	});

	test('submission with STARTTLS + AUTH: sends a test mail to the test recipient and says so', async () => {
		const rcpt = claimUser();
		const result = await testSmtpProfile(smtpProfile('submission'), stackUser(rcpt).address);
		expect(result.message).toContain(`test mail sent to ${stackUser(rcpt).address}`);
		const mail = await waitForMail(rcpt, (m) => m.messageId === result.testMail!.messageId, 15_000);
		expect(mail.subject).toBe('Test mail from n8n Mail Cases');
		expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
	});

	test('SMTPS (implicit TLS) with AUTH', async () => {
		const result = await testSmtpProfile(smtpProfile('smtps'));
		expect(result.message).toMatch(/^Connected to SMTPS 127\.0\.0\.1:\d+ as alice@example\.test/);
	});

	test('through the credential dialog: success with test mail (R-OUT-7)', async () => {
		const stack = getStack();
		const rcpt = claimUser();
		const alice = stackUser('alice');
		const result = await dialogTest({
			host: stack.host,
			protocol: 'smtp',
			port: stack.ports.submission,
			starttls: 'auto',
			user: alice.address,
			password: alice.password,
			fromAddress: alice.address,
			fromName: 'Kundenservice Müller',
			testRecipient: stackUser(rcpt).address,
			caCertificate: stack.caPem,
		});
		expect(result).toEqual({ status: 'OK', message: expect.stringContaining('test mail sent to') });
		const mail = await waitForMail(
			rcpt,
			(m) => m.subject === 'Test mail from n8n Mail Cases',
			15_000,
		);
		expect(mail.parsed.from?.value[0]).toEqual({
			address: alice.address,
			name: 'Kundenservice Müller',
		});
	});

	test('through the credential dialog: a wrong password is reported without the password', async () => {
		const stack = getStack();
		const alice = stackUser('alice');
		const secret = 'wr0ng-S3cret!';
		const result = await dialogTest({
			host: stack.host,
			protocol: 'smtps',
			port: stack.ports.smtps,
			user: alice.address,
			password: secret,
			fromAddress: alice.address,
			caCertificate: stack.caPem,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Authentication failed .*535/);
		expect(result.message).not.toContain(secret);
	});

	describe('failures say what is wrong', () => {
		test('authentication failed', async () => {
			const error = await failure(smtpProfile('submission', 'alice', { password: 'nope-nope' }));
			expect(error.code).toBe('AUTH_FAILED');
			expect(error.message).toContain('Check SMTP login and password');
			expect(error.message).not.toContain('nope-nope');
		});

		test('host not found', async () => {
			const error = await failure(smtpProfile('relay', 'alice', { host: 'no-such-host.invalid' }));
			expect(error.code).toBe('HOST_NOT_FOUND');
			expect(error.message).toContain('no-such-host.invalid');
		});

		test('connection refused', async () => {
			const error = await failure(smtpProfile('relay', 'alice', { port: await closedPort() }));
			expect(error.code).toBe('CONNECTION_REFUSED');
		});

		test('TLS mismatch: smtps on a STARTTLS port', async () => {
			const stack = getStack();
			const error = await failure(smtpProfile('smtps', 'alice', { port: stack.ports.submission }));
			expect(error.code).toBe('TLS_MISMATCH');
			expect(error.message).toMatch(/does not speak implicit TLS/);
		});

		test('TLS mismatch: STARTTLS protocol on an implicit-TLS port times out with a hint', async () => {
			const stack = getStack();
			const error = await failure(
				smtpProfile('submission', 'alice', { port: stack.ports.smtps, timeoutMs: 1500 }),
			);
			expect(['CONNECTION_TIMEOUT', 'CONNECTION_LOST']).toContain(error.code);
			expect(error.message).toMatch(/implicit-TLS/);
		});

		test('certificate not trusted (self-signed CA not given) unless allowed', async () => {
			const untrusted = await failure(smtpProfile('smtps', 'alice', { caPem: undefined }));
			expect(untrusted.code).toBe('TLS_CERT_UNTRUSTED');
			expect(untrusted.message).toMatch(/not trusted/);
			const allowed = await testSmtpProfile(
				smtpProfile('smtps', 'alice', { caPem: undefined, allowSelfSigned: true }),
			);
			expect(allowed.message).toMatch(/^Connected/);
		});

		test('certificate not trusted on STARTTLS too', async () => {
			const error = await failure(smtpProfile('submission', 'alice', { caPem: undefined }));
			expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		});

		test('timeout: a server that never greets', async () => {
			const server = await silentServer();
			try {
				const error = await failure(
					smtpProfile('relay', 'alice', { port: server.port, timeoutMs: 1000 }),
				);
				expect(error.code).toBe('CONNECTION_TIMEOUT');
			} finally {
				await server.close();
			}
		});

		test('STARTTLS required by the profile but a login is sent only after TLS', async () => {
			// "auto" with a login means STARTTLS is required: the relay port offers it, so it works.
			const result = await testSmtpProfile(
				smtpProfile('relay', 'alice', {
					user: stackUser('alice').address,
					password: stackUser('alice').password,
					starttls: 'auto',
				}),
			);
			expect(result.message).toMatch(/SMTP\+STARTTLS/);
		});
	});
});
