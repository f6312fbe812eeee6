/**
 * Proves the real mail-server test stack every other integration test relies on: Postfix
 * (submission, SMTPS, port-25 relay) delivers into Dovecot, and Dovecot serves it over IMAP
 * (STARTTLS, IMAPS) and POP3 (plain, STLS, POP3S), with the test CA and the fixed test users.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import { ImapFlow } from 'imapflow';
import Pop3Command from 'node-pop3';
import { readConfigs } from 'jest-config';
import nodemailer, { type SendMailOptions, type SMTPTransportOptions } from 'nodemailer';

import {
	address,
	claimUser,
	clearMailbox,
	composeMail,
	deliver,
	getStack,
	imapClient,
	imapOptions,
	listImap,
	NAMED_USERS,
	NUMBERED_USER_COUNT,
	popList,
	popOptions,
	smtpOptions,
	stackIsRunning,
	startMailStack,
	waitForMail,
	type ListedMessage,
} from '../support/mail-stack';
import { cliList, runNeedsMailStack } from '../support/mail-stack/jest-selection';
import { canConnect } from '../support/mail-stack/ports';
import { isRunning } from '../support/mail-stack/process';

jest.setTimeout(20_000);

const stack = getStack();
// Mailboxes of their own for this file, so other test files running in parallel never interfere.
const sender = claimUser();
const rcpt = claimUser();
const other = claimUser();

function token(): string {
	return randomUUID().slice(0, 8);
}

async function send(options: SMTPTransportOptions, mail: SendMailOptions) {
	const transport = nodemailer.createTransport(options);
	try {
		return await transport.sendMail(mail);
	} finally {
		transport.close();
	}
}

function sendError(options: SMTPTransportOptions, mail: SendMailOptions) {
	return send(options, mail).then(
		() => {
			throw new Error('the server accepted a mail it had to refuse');
		},
		(error: Error & { responseCode?: number; code?: string; response?: string }) => error,
	);
}

const bySubject = (subject: string) => (m: ListedMessage) => m.subject === subject;

/** One line-based exchange on a raw socket (POP3/IMAP/SMTP greeting or reply line). */
function readLine(socket: net.Socket | tls.TLSSocket, timeoutMs = 5000): Promise<string> {
	return new Promise((resolve, reject) => {
		let buf = '';
		const timer = setTimeout(
			() => finish(new Error(`no reply within ${timeoutMs} ms (got "${buf}")`)),
			timeoutMs,
		);
		const onData = (chunk: Buffer) => {
			buf += chunk.toString('latin1');
			if (buf.endsWith('\r\n')) finish();
		};
		const onError = (e: Error) => finish(e);
		function finish(error?: Error) {
			clearTimeout(timer);
			socket.off('data', onData);
			socket.off('error', onError);
			if (error) reject(error);
			else resolve(buf);
		}
		socket.on('data', onData);
		socket.once('error', onError);
	});
}

async function command(socket: net.Socket | tls.TLSSocket, line: string): Promise<string> {
	const reply = readLine(socket);
	socket.write(`${line}\r\n`);
	return reply;
}

beforeAll(async () => {
	await Promise.all([sender, rcpt, other].map((u) => clearMailbox(u)));
});

describe('test mail stack', () => {
	test('started in under 2 s; describes itself: loopback host, distinct ports, test CA, fixed users', () => {
		expect(stack.host).toBe('127.0.0.1');
		const ports = Object.values(stack.ports);
		expect(ports).toHaveLength(9);
		expect(new Set(ports).size).toBe(9);
		for (const p of ports) expect(p).toBeGreaterThan(1024);
		expect(stack.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
		for (const name of NAMED_USERS) expect(stack.users[name].address).toBe(`${name}@example.test`);
		expect(stack.users.user01.address).toBe('user01@example.test');
		expect(stack.users.user60.address).toBe('user60@example.test');
		expect(stack.users.user301).toBeUndefined();
		expect(Object.keys(stack.users)).toHaveLength(NAMED_USERS.length + NUMBERED_USER_COUNT);
		expect(stack.users.user300.address).toBe('user300@example.test');
		expect(stackIsRunning(stack)).toBe(true);
		expect(stack.startupMs).toBeLessThan(2000);
		expect(address('Alice')).toBe('alice@example.test');
		expect(() => address('mallory')).toThrow(/not a user of the test mail stack/);
	});

	test('R-OUT-2/R-OUT-3: submission with STARTTLS + AUTH delivers; IMAP with STARTTLS reads it', async () => {
		const subject = `submission ${token()}`;
		const info = await send(smtpOptions('submission', sender), {
			from: address(sender),
			to: address(rcpt),
			subject,
			text: 'Grüße über submission',
		});
		expect(info.accepted).toEqual([address(rcpt)]);

		// On the plain IMAP port: doSTARTTLS makes imapflow fail unless STARTTLS upgraded the socket.
		const options = imapOptions(rcpt, 'starttls');
		expect(options).toMatchObject({ port: stack.ports.imap, secure: false, doSTARTTLS: true });
		const client = await imapClient(rcpt, 'starttls');
		const plain = await imapClient(rcpt, 'none');
		try {
			expect(client.secureConnection).toBe(true);
			expect(plain.secureConnection).toBe(false);
		} finally {
			await Promise.all([client.logout(), plain.logout()]);
		}
		const got = await waitForMail(rcpt, bySubject(subject));
		expect(got.from).toBe(address(sender));
		expect(got.text.trim()).toBe('Grüße über submission');
		// Postfix recorded an authenticated (ESMTPSA) TLS session on the submission port.
		expect(got.parsed.headers.get('received')?.toString()).toMatch(/ESMTPSA/);
	});

	test('R-OUT-2: SMTPS (implicit TLS) with AUTH delivers; IMAPS reads it', async () => {
		const subject = `smtps ${token()}`;
		await send(smtpOptions('smtps', sender), {
			from: address(sender),
			to: address(rcpt),
			subject,
			text: 'via smtps',
		});
		await waitForMail(rcpt, bySubject(subject));

		const client = new ImapFlow(imapOptions(rcpt, 'implicit'));
		client.on('error', () => undefined);
		await client.connect();
		try {
			expect(client.secureConnection).toBe(true);
			await client.mailboxOpen('INBOX', { readOnly: true });
			const found = await client.search({ subject }, { uid: true });
			expect(found).toHaveLength(1);
		} finally {
			await client.logout();
		}
	});

	test('R-OUT-3/R-IN-2: port-25 relay without AUTH delivers; POP3 and POP3S read it', async () => {
		const subject = `relay ${token()}`;
		await send(smtpOptions('smtp'), {
			from: 'someone@external.test',
			to: address(other),
			subject,
			text: 'relay',
		});
		await waitForMail(other, bySubject(subject));

		const plain = await popList(other);
		const secure = await popList(other, { tls: true });
		for (const list of [plain, secure]) {
			const m = list.find(bySubject(subject));
			expect(m).toBeDefined();
			expect(m!.from).toBe('someone@external.test');
			expect(m!.uidl).toBeTruthy();
		}
		expect(secure.map((m) => m.uidl)).toEqual(plain.map((m) => m.uidl));
	});

	test('R-IN-2: POP3 offers STLS and logs in after the upgrade', async () => {
		const socket = net.connect(stack.ports.pop3, stack.host);
		let secure: tls.TLSSocket | undefined;
		try {
			expect(await readLine(socket)).toMatch(/^\+OK/);
			const capa = readLine(socket); // multi-line: read until the final "."
			socket.write('CAPA\r\n');
			let text = await capa;
			while (!/\r\n\.\r\n$/.test(text)) text += await readLine(socket);
			expect(text).toMatch(/^STLS\r$/m);
			expect(await command(socket, 'STLS')).toMatch(/^\+OK/);
			secure = tls.connect({ socket, ca: stack.caPem, servername: 'localhost' });
			await new Promise<void>((resolve, reject) => {
				secure!.once('secureConnect', resolve);
				secure!.once('error', reject);
			});
			const { address: user, password } = stack.users[other];
			expect(await command(secure, `USER ${user}`)).toMatch(/^\+OK/);
			expect(await command(secure, `PASS ${password}`)).toMatch(/^\+OK/);
			expect(await command(secure, 'STAT')).toMatch(/^\+OK \d+ \d+/);
			await command(secure, 'QUIT');
		} finally {
			secure?.destroy();
			socket.destroy();
		}
	});

	test('R-OUT-7: a wrong password is refused with 535, at once', async () => {
		const options = {
			...smtpOptions('submission', sender),
			auth: { user: address(sender), pass: 'wrong' },
		};
		const started = Date.now();
		const error = await sendError(options, {
			from: address(sender),
			to: address(rcpt),
			subject: 'x',
			text: 'x',
		});
		expect(error.code).toBe('EAUTH');
		expect(error.responseCode).toBe(535);
		expect(Date.now() - started).toBeLessThan(3000);
	});

	test('R-IN-3: wrong IMAP and POP3 passwords fail fast, also when repeated (no auth penalty)', async () => {
		const started = Date.now();
		const imapFailures = (async () => {
			for (let i = 0; i < 2; i++) {
				const client = new ImapFlow({
					...imapOptions(rcpt),
					auth: { user: address(rcpt), pass: 'wrong' },
				});
				client.on('error', () => undefined);
				await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
				client.close();
			}
		})();
		const pop = new Pop3Command({ ...popOptions(rcpt, true), password: 'wrong' });
		await Promise.all([imapFailures, expect(pop.STAT()).rejects.toThrow(/auth/i)]);
		// Dovecot's defaults would take 2 s for the first failure and about 4.5 s for the next.
		expect(Date.now() - started).toBeLessThan(3000);
	});

	test('R-OUT-2: submission refuses mail without AUTH and AUTH without STARTTLS', async () => {
		const mail = { from: address(sender), to: address(rcpt), subject: 'no auth', text: 'x' };
		const noAuth = await sendError(smtpOptions('submission'), mail);
		expect(noAuth.code).toBe('EENVELOPE');
		expect(noAuth.responseCode).toBe(554);

		const noTls = await sendError(
			{ ...smtpOptions('submission', sender), requireTLS: false, ignoreTLS: true },
			mail,
		);
		expect(noTls.responseCode).toBe(530);
		expect(noTls.response).toMatch(/STARTTLS/);
	});

	test('the port-25 relay offers no AUTH and rejects unknown local recipients at RCPT', async () => {
		const socket = net.connect(stack.ports.smtp, stack.host);
		try {
			expect(await readLine(socket)).toMatch(/^220 /);
			const ehloReply = readLine(socket);
			socket.write('EHLO client.test\r\n');
			let ehlo = await ehloReply;
			while (!/^250 /m.test(ehlo)) ehlo += await readLine(socket);
			expect(ehlo).toMatch(/STARTTLS/);
			expect(ehlo).not.toMatch(/AUTH/);
		} finally {
			socket.destroy();
		}
		const error = await sendError(smtpOptions('smtp'), {
			from: 'someone@external.test',
			to: 'nobody-here@example.test',
			subject: 'x',
			text: 'x',
		});
		expect(error.responseCode).toBe(550);
	});

	test('mail to other domains never leaves: refused at RCPT, local recipients still get it', async () => {
		const subject = `outbound ${token()}`;
		const mail = { from: address(sender), subject, text: 'must not leave' };
		const refused = await sendError(smtpOptions('submission', sender), {
			...mail,
			to: 'someone@elsewhere.example',
		});
		expect(refused.responseCode).toBe(550);
		expect(refused.message).toMatch(/outbound mail delivery is disabled/);

		const info = await send(smtpOptions('submission', sender), {
			...mail,
			to: ['someone@elsewhere.example', address(rcpt)],
		});
		expect(info.accepted).toEqual([address(rcpt)]);
		expect(info.rejected).toEqual(['someone@elsewhere.example']);
		await waitForMail(rcpt, bySubject(subject));
	});

	test('clients without the test CA refuse the server certificate (IMAPS, SMTPS, POP3S)', async () => {
		const noCa = { ...imapOptions(rcpt, 'implicit'), tls: {} };
		const client = new ImapFlow(noCa);
		client.on('error', () => undefined);
		await expect(client.connect()).rejects.toMatchObject({
			code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
		});
		client.close();

		const smtp = await sendError(
			{ ...smtpOptions('smtps', sender), tls: {} },
			{ from: address(sender), to: address(rcpt), text: 'x' },
		);
		expect(`${smtp.code} ${smtp.message}`).toMatch(
			/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i,
		);

		const pop = new Pop3Command({ ...popOptions(rcpt, true), tlsOptions: {} });
		await expect(pop.STAT()).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
	});

	test('helpers: LMTP delivery, waitForMail, many parallel sessions of one user, clearMailbox', async () => {
		const subject = `lmtp ${token()}`;
		const raw = await composeMail({
			from: 'a@external.test',
			to: address(rcpt),
			subject,
			text: 'planted',
		});
		const result = await deliver([rcpt, other], raw);
		expect(result.accepted).toEqual([address(rcpt), address(other)]);
		await expect(deliver('nobody-here@example.test', raw)).rejects.toThrow();
		await waitForMail(other, bySubject(subject));
		expect((await listImap(rcpt)).map((m) => m.subject)).toContain(subject);

		// 8-bit bodies and dot-leading lines come back byte for byte over IMAP and POP3.
		const eightBit = `eight-bit ${token()}`;
		await deliver(
			rcpt,
			Buffer.from(
				`From: a@external.test\r\nTo: ${address(rcpt)}\r\nSubject: ${eightBit}\r\nMIME-Version: 1.0\r\n` +
					'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
					'Grüße aus Köln\r\n.a line with a leading dot\r\n',
				'utf8',
			),
		);
		const viaImap = (await listImap(rcpt)).find(bySubject(eightBit))!;
		const viaPop = (await popList(rcpt)).find(bySubject(eightBit))!;
		expect(viaImap.text).toBe('Grüße aus Köln\n.a line with a leading dot\n');
		expect(viaPop.raw.toString('latin1')).toBe(viaImap.raw.toString('latin1'));

		// More parallel sessions than Dovecot's default limit of 10 per user and IP.
		const clients = await Promise.all(Array.from({ length: 12 }, () => imapClient(rcpt)));
		await Promise.all(clients.map((c) => c.logout()));

		await expect(waitForMail(rcpt, bySubject('never sent'), 300)).rejects.toThrow(
			/no matching mail/,
		);

		const box = await imapClient(rcpt);
		try {
			await box.mailboxCreate('Scratch');
			await box.append('Scratch', raw);
		} finally {
			await box.logout();
		}
		await clearMailbox(rcpt);
		expect(await listImap(rcpt)).toEqual([]);
		expect(await popList(rcpt)).toEqual([]);
		const after = await imapClient(rcpt);
		try {
			const paths = (await after.list()).map((b) => b.path).sort();
			expect(paths).toEqual(['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
		} finally {
			await after.logout();
		}
	});
});

describe('stack lifecycle', () => {
	const gone = (d: { dir: string; dovecotPid: number; postfixPid: number; watchdogPid: number }) =>
		!existsSync(d.dir) && ![d.dovecotPid, d.postfixPid, d.watchdogPid].some(isRunning);

	async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!check()) {
			if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	test('dodges a port taken by another process, and stop() leaves no process, port or file behind', async () => {
		// Another process holds the port the stack is asked to use for IMAPS: it retries elsewhere.
		const blocker = net.createServer();
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
		const taken = (blocker.address() as net.AddressInfo).port;
		let second;
		try {
			second = await startMailStack({ ports: { imaps: taken } });
		} finally {
			blocker.close();
		}
		try {
			expect(second.startupMs).toBeLessThan(4000); // two attempts
			expect(second.ports.imaps).not.toBe(taken);
			expect(second.ports.imap).not.toBe(stack.ports.imap);
			expect(await canConnect(second.ports.imaps)).toBe(true);
			expect(await canConnect(second.ports.submission)).toBe(true);
		} finally {
			await second.stop();
		}
		await until('the stopped stack is not gone', () => gone(second));
		expect(await canConnect(second.ports.imap)).toBe(false);
		expect(await canConnect(second.ports.smtp)).toBe(false);
		await second.stop(); // idempotent
	});

	test('a killed owner process (SIGKILL, no exit handlers) leaves nothing behind', async () => {
		// scripts/start-mail-stack.ts owns a stack in a process of its own; kill it without warning.
		const script = path.join(__dirname, '../../scripts/start-mail-stack.ts');
		const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
		const exited = new Promise<NodeJS.Signals | null>((resolve) =>
			child.once('exit', (_c, s) => resolve(s)),
		);
		let err = '';
		child.stderr.on('data', (c: Buffer) => (err += c.toString()));
		const line = await new Promise<string>((resolve, reject) => {
			let out = '';
			const timer = setTimeout(
				() => reject(new Error(`no description within 10 s: ${err}`)),
				10_000,
			);
			child.stdout.on('data', (c: Buffer) => {
				out += c.toString();
				if (out.includes('\n')) {
					clearTimeout(timer);
					resolve(out.slice(0, out.indexOf('\n')));
				}
			});
		});
		const orphan = JSON.parse(line);
		expect(stackIsRunning(orphan)).toBe(true);
		expect(orphan.ownerPid).toBe(child.pid);
		child.kill('SIGKILL');
		expect(await exited).toBe('SIGKILL');
		await until('the watchdog did not clean up', () => gone(orphan));
		expect(await canConnect(orphan.ports.imap)).toBe(false);
		expect(await canConnect(orphan.ports.smtps)).toBe(false);
	});
});

describe('global setup starts the stack only for runs that include stack tests', () => {
	const rootDir = path.resolve(__dirname, '../..');
	const globalSetup = path.join(rootDir, 'test/support/global-setup.ts');

	/**
	 * What the global setup sees for a command line when globalSetup is set at the root: the
	 * global config, the project of the first scheduled test, and process.argv.
	 */
	async function decide(
		args: string[],
		patterns: string[] = [],
		first = 'unit',
		extra = {},
	): Promise<boolean> {
		const { globalConfig, configs } = await readConfigs({ $0: 'jest', _: patterns, ...extra }, [
			rootDir,
		]);
		const project = configs.find((c) => c.displayName?.name === first);
		expect(project).toBeDefined();
		return runNeedsMailStack({ ...globalConfig, globalSetup }, project, [
			'node',
			'jest',
			...args,
			...patterns,
		]);
	}

	test('reads yargs-style list options from the command line', () => {
		const argv = [
			'node',
			'jest',
			'--selectProjects',
			'unit',
			'integration',
			'--ci',
			'--ignore-projects=workflows',
		];
		expect(cliList(argv, 'selectProjects')).toEqual(['unit', 'integration']);
		expect(cliList(argv, 'ignoreProjects')).toEqual(['workflows']);
		expect(cliList(argv, 'config')).toBeUndefined();
	});

	test('unit-only runs start nothing', async () => {
		expect(await decide(['--selectProjects', 'unit'])).toBe(false);
		expect(await decide(['--selectProjects=unit'])).toBe(false);
		expect(await decide([], ['test/unit/'])).toBe(false);
		expect(await decide([], ['test/unit/cases/case-number.test.ts'])).toBe(false);
		expect(await decide(['--ignoreProjects', 'integration', 'workflows', 'e2e'])).toBe(false);
	});

	test('the e2e project needs the stack too', async () => {
		expect(await decide(['--ignoreProjects', 'integration', 'workflows'])).toBe(true);
		expect(await decide(['--selectProjects', 'e2e'])).toBe(true);
	});

	test('runs that include integration or workflow tests start it', async () => {
		expect(await decide([])).toBe(true);
		expect(await decide(['--selectProjects', 'integration'])).toBe(true);
		expect(await decide(['--selectProjects', 'unit', 'workflows'])).toBe(true);
		expect(await decide([], ['mail-stack'])).toBe(true);
		expect(await decide([], ['test/unit/', 'test/workflows/'])).toBe(true);
		expect(await decide([], ['test/integration/mail-stack.test.ts'], 'integration')).toBe(true);
		// Selections it cannot reproduce count as "needed".
		expect(await decide(['--onlyChanged'], [], 'unit', { onlyChanged: true })).toBe(true);
	});

	test('configured per project, Jest only calls it when needed, so it always starts', async () => {
		const { globalConfig, configs } = await readConfigs({ $0: 'jest', _: [] }, [rootDir]);
		expect(runNeedsMailStack({ ...globalConfig, globalSetup: undefined }, configs[0])).toBe(true);
	});
});
