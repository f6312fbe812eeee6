import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';
import { MailCasesError } from '../../../lib/errors';
import { testMailboxProfile } from '../../../lib/protocols/mailbox-connection-test';
import type { MailboxProfile } from '../../../lib/protocols/mailbox-profile';
import { MailCasesTrigger } from '../../../nodes/MailCasesTrigger/MailCasesTrigger.node';
import { claimUser, composeMail, deliver, getStack, stackUser } from '../../support/mail-stack';
import { closedPort, mailboxProfile, silentServer } from './fixtures';

async function failure(profile: MailboxProfile): Promise<MailCasesError> {
	try {
		await testMailboxProfile(profile);
	} catch (error) {
		expect(error).toBeInstanceOf(MailCasesError);
		return error as MailCasesError;
	}
	throw new Error('expected the mailbox test to fail');
}

async function dialogTest(data: Record<string, unknown>) {
	const node = new MailCasesTrigger();
	const credential = {
		id: '1',
		name: 'box',
		type: 'mailCasesMailbox',
		data,
	} as ICredentialsDecrypted;
	return node.methods.credentialTest.mailCasesMailboxTest.call(
		{} as ICredentialTestFunctions,
		credential,
	);
}

describe('mailbox profile test settings against Dovecot (R-IN-2, R-IN-3)', () => {
	const user = claimUser();
	beforeAll(async () => {
		for (let i = 1; i <= 3; i++) {
			await deliver(
				user,
				await composeMail({
					from: 'kunde@example.test',
					to: stackUser(user).address,
					subject: `Mail ${i}`,
					text: 'Hallo',
				}),
			);
		}
	});

	test.each([
		['imap', 'implicit', /^Connected to IMAPS 127\.0\.0\.1:\d+ as .*: 3 mails in INBOX$/],
		['imap', 'starttls', /^Connected to IMAP\+STARTTLS .*: 3 mails in INBOX$/],
		['imap', 'off', /^Connected to IMAP 127.*: 3 mails in INBOX$/],
		['pop3', 'implicit', /^Connected to POP3S .*: 3 mails in INBOX$/],
		['pop3', 'starttls', /^Connected to POP3\+STARTTLS .*: 3 mails in INBOX$/],
		['pop3', 'off', /^Connected to POP3 127.*: 3 mails in INBOX$/],
	] as const)('%s with TLS %s counts the mails in the inbox', async (protocol, tls, message) => {
		const result = await testMailboxProfile(mailboxProfile(protocol, tls, user));
		expect(result.count).toBe(3);
		expect(result.message).toMatch(message);
	});

	test('POP3 test removes nothing', async () => {
		await testMailboxProfile(mailboxProfile('pop3', 'implicit', user));
		expect((await testMailboxProfile(mailboxProfile('pop3', 'implicit', user))).count).toBe(3);
	});

	test('through the credential dialog (R-IN-3)', async () => {
		const stack = getStack();
		const u = stackUser(user);
		const ok = await dialogTest({
			protocol: 'imap',
			host: stack.host,
			tls: 'implicit',
			port: stack.ports.imaps,
			user: u.address,
			password: u.password,
			folder: 'INBOX',
			caCertificate: stack.caPem,
		});
		expect(ok).toEqual({ status: 'OK', message: expect.stringMatching(/: 3 mails in INBOX$/) });
		const bad = await dialogTest({
			protocol: 'pop3',
			host: stack.host,
			tls: 'implicit',
			port: stack.ports.pop3s,
			user: u.address,
			password: 'Geheim-123',
			caCertificate: stack.caPem,
		});
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/Authentication failed/);
		expect(bad.message).not.toContain('Geheim-123');
	});

	describe.each(['imap', 'pop3'] as const)('%s failures say what is wrong', (protocol) => {
		test('authentication failed, password never shown', async () => {
			const error = await failure(
				mailboxProfile(protocol, 'implicit', user, { password: 'Falsch!42' }),
			);
			expect(error.code).toBe('AUTH_FAILED');
			expect(error.message).toContain(stackUser(user).address);
			expect(error.message).not.toContain('Falsch!42');
		});

		test('host not found', async () => {
			const error = await failure(
				mailboxProfile(protocol, 'implicit', user, { host: 'no-such-host.invalid' }),
			);
			expect(error.code).toBe('HOST_NOT_FOUND');
		});

		test('connection refused', async () => {
			const error = await failure(
				mailboxProfile(protocol, 'implicit', user, { port: await closedPort() }),
			);
			expect(error.code).toBe('CONNECTION_REFUSED');
		});

		test('TLS mismatch: implicit TLS on a plain port', async () => {
			const stack = getStack();
			const port = protocol === 'imap' ? stack.ports.imap : stack.ports.pop3;
			const error = await failure(mailboxProfile(protocol, 'implicit', user, { port }));
			expect(error.code).toBe('TLS_MISMATCH');
		});

		test('plain protocol on an implicit-TLS port', async () => {
			const stack = getStack();
			const port = protocol === 'imap' ? stack.ports.imaps : stack.ports.pop3s;
			const error = await failure(mailboxProfile(protocol, 'off', user, { port, timeoutMs: 1500 }));
			expect(['CONNECTION_TIMEOUT', 'CONNECTION_LOST']).toContain(error.code);
		});

		test('certificate not trusted unless allowed', async () => {
			const error = await failure(mailboxProfile(protocol, 'implicit', user, { caPem: undefined }));
			expect(error.code).toBe('TLS_CERT_UNTRUSTED');
			const ok = await testMailboxProfile(
				mailboxProfile(protocol, 'implicit', user, { caPem: undefined, allowSelfSigned: true }),
			);
			expect(ok.count).toBe(3);
		});

		test('STARTTLS with an untrusted certificate is refused too', async () => {
			const error = await failure(mailboxProfile(protocol, 'starttls', user, { caPem: undefined }));
			expect(error.code).toBe('TLS_CERT_UNTRUSTED');
		});

		test('timeout: a server that never greets', async () => {
			const server = await silentServer();
			try {
				const error = await failure(
					mailboxProfile(protocol, 'off', user, { port: server.port, timeoutMs: 1000 }),
				);
				expect(error.code).toBe('CONNECTION_TIMEOUT');
			} finally {
				await server.close();
			}
		});
	});

	test('IMAP: a folder that does not exist', async () => {
		const error = await failure(mailboxProfile('imap', 'implicit', user, { folder: 'Nirgendwo' }));
		expect(error.code).toBe('MAILBOX_NOT_FOUND');
		expect(error.message).toContain('Nirgendwo');
	});
});
