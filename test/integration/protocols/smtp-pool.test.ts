/**
 * #17.5: the process-wide SMTP pools (lib/protocols/smtp/smtp-pool.ts) against the real Postfix
 * of the test stack. A TCP relay in front of Postfix's submission port counts the SMTP
 * connections the pools open (and how many are open now), so the tests see reuse, idle close
 * and the credential change without looking at timings.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMailCasesError, type MailCasesError } from '../../../lib/errors';
import { buildOutgoingMessage } from '../../../lib/mail/outgoing-message';
import { classifySendFailure } from '../../../lib/protocols/send-failure';
import { SmtpPoolRegistry, type SmtpLease } from '../../../lib/protocols/smtp/smtp-pool';
import type { SmtpProfile } from '../../../lib/protocols/smtp/smtp-profile';
import { SmtpSender } from '../../../lib/protocols/smtp/smtp-transport';
import { claimUser, STACK_DOMAIN, stackUser, waitForMail } from '../../support/mail-stack';
import { DEFERRED_LOCAL_PART } from '../../support/mail-stack/postfix';
import { waitUntil } from '../../support/n8n/wait';
import { startTcpRelay, type TcpRelay } from '../../support/tcp-relay';
import { smtpProfile } from '../profiles/fixtures';

jest.setTimeout(60_000);

const relays: TcpRelay[] = [];
const registries: SmtpPoolRegistry[] = [];

afterEach(async () => {
	for (const registry of registries.splice(0)) registry.closeAll();
	for (const relay of relays.splice(0)) await relay.close();
});

async function relayed(user = 'alice', overrides: Partial<SmtpProfile> = {}) {
	const relay = await startTcpRelay(smtpProfile('submission').port!);
	relays.push(relay);
	return { relay, profile: smtpProfile('submission', user, { port: relay.port, ...overrides }) };
}

function registry(settings: ConstructorParameters<typeof SmtpPoolRegistry>[0] = {}) {
	const r = new SmtpPoolRegistry({ maxConnections: 2, idleMs: 60_000, ...settings });
	registries.push(r);
	return r;
}

function mail(profile: SmtpProfile, to: string, subject = 'Pool') {
	return buildOutgoingMessage({ from: { address: profile.fromAddress }, to, subject, text: 'x\n' });
}

async function sendAll(lease: SmtpLease, profile: SmtpProfile, to: string[]) {
	return await Promise.all(to.map((rcpt, i) => lease.send(mail(profile, rcpt, `Pool ${i}`))));
}

async function failureOf(send: Promise<unknown>): Promise<MailCasesError> {
	try {
		await send;
	} catch (error) {
		if (isMailCasesError(error)) return error;
		throw error;
	}
	throw new Error('expected the send to fail');
}

describe('#17.5 SMTP pools per profile per process (real Postfix)', () => {
	test('executions one after the other and two nodes at once reuse one set of connections; mails of a lease go over several', async () => {
		const { relay, profile } = await relayed();
		const pools = registry();
		const rcpt = stackUser(claimUser()).address;

		const first = pools.acquire(profile, 'cred-1');
		const sent = await sendAll(first, profile, Array(6).fill(rcpt));
		first.release();
		expect(sent.map((s) => s.accepted)).toEqual(Array(6).fill([rcpt]));
		// six mails at once over the pool's two connections, not one connection per mail
		expect(relay.connections).toBe(2);

		// a second execution with two nodes sending at the same time: the same two connections
		const [nodeA, nodeB] = [pools.acquire(profile, 'cred-1'), pools.acquire(profile, 'cred-1')];
		const both = await Promise.all([
			sendAll(nodeA, profile, Array(3).fill(rcpt)),
			sendAll(nodeB, profile, Array(3).fill(rcpt)),
		]);
		nodeA.release();
		nodeB.release();
		expect(both.flat()).toHaveLength(6);
		expect(relay.connections).toBe(2);
		expect(pools.keys()).toHaveLength(1);
		await waitForMail(rcpt.split('@')[0], (m) => m.subject === 'Pool 5', 15_000);
	});

	test('accepted, refused (550) and deferred (451) recipients: the errors a connection of its own gives, the pool goes on', async () => {
		const { relay, profile } = await relayed();
		const pools = registry();
		const ok = stackUser(claimUser()).address;
		const refused = `nobody-pool-${Date.now()}@${STACK_DOMAIN}`;
		const deferred = `${DEFERRED_LOCAL_PART}@${STACK_DOMAIN}`;
		const lease = pools.acquire(profile);
		const results = await Promise.allSettled(
			[ok, refused, deferred, ok].map((to, i) => lease.send(mail(profile, to, `Mix ${i}`))),
		);
		lease.release();
		expect(results.map((r) => r.status)).toEqual([
			'fulfilled',
			'rejected',
			'rejected',
			'fulfilled',
		]);
		// the pool's two connections: nothing reconnected after a refusal
		expect(relay.connections).toBe(2);

		const own = new SmtpSender(profile);
		try {
			for (const [i, to] of [
				[1, refused],
				[2, deferred],
			] as const) {
				const pooled = (results[i] as PromiseRejectedResult).reason as MailCasesError;
				const alone = await failureOf(own.send(mail(profile, to)));
				expect({ code: pooled.code, message: pooled.message }).toEqual({
					code: alone.code,
					message: alone.message,
				});
				expect(classifySendFailure(pooled).permanent).toBe(i === 1);
			}
		} finally {
			own.close();
		}
		expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
			code: 'RECIPIENT_REJECTED',
			message: expect.stringMatching(/\(550\): 550 5\.1\.1/),
		});
	});

	test('a wrong password: AUTH_FAILED as without a pool, the password in no message and no key', async () => {
		const secret = 'Wr0ng-pool-S3cret';
		const { profile } = await relayed('alice', { password: secret });
		const pools = registry();
		const lease = pools.acquire(profile, 'cred-bad');
		const pooled = await failureOf(lease.send(mail(profile, stackUser('alice').address)));
		lease.release();
		const own = new SmtpSender(profile);
		const alone = await failureOf(own.send(mail(profile, stackUser('alice').address)));
		own.close();
		expect(pooled.code).toBe('AUTH_FAILED');
		expect(pooled.message).toBe(alone.message);
		expect(pooled.message).not.toContain(secret);
		expect(pools.keys().join(' ')).not.toContain(secret);
		expect(pools.keys()[0]).toMatch(
			/^SMTP\+STARTTLS 127\.0\.0\.1:\d+ as alice@example\.test \[[0-9a-f]{12}\]$/,
		);
	});

	test('a changed credential gets a new pool; the old one is closed when its last execution released it', async () => {
		const { relay, profile } = await relayed('alice');
		const pools = registry();
		const closed: Array<[string, string]> = [];
		pools.on('close', (key: string, reason: string) => closed.push([key, reason]));
		const rcpt = stackUser(claimUser()).address;

		const running = pools.acquire(profile, 'cred-7');
		await sendAll(running, profile, [rcpt, rcpt]);
		// only the From changed: the same pool
		const sameFrom = pools.acquire({ ...profile, fromName: 'Other name' }, 'cred-7');
		expect(sameFrom.key).toBe(running.key);
		sameFrom.release();
		expect(relay.open).toBe(2);

		// the credential now logs in as bob: a new pool at once; the old one serves its execution
		const bob: SmtpProfile = {
			...profile,
			user: stackUser('bob').address,
			password: stackUser('bob').password,
			fromAddress: stackUser('bob').address,
		};
		const changed = pools.acquire(bob, 'cred-7');
		expect(changed.key).not.toBe(running.key);
		expect(pools.keys()).toEqual([changed.key]);
		expect(closed).toEqual([]);
		await running.send(mail(profile, rcpt, 'still the old pool'));
		running.release();
		expect(closed).toEqual([[running.key, 'credential changed']]);
		await waitUntil('the old pool to close its connections', () => relay.open === 0);

		const before = relay.connections;
		const [viaNew] = await sendAll(changed, bob, [rcpt]);
		changed.release();
		expect(viaNew.envelope.from).toBe(stackUser('bob').address);
		expect(relay.connections).toBe(before + 1);
	});

	test('an unused pool is closed after its idle time (close event), the next lease opens a new one', async () => {
		const { relay, profile } = await relayed();
		const pools = registry({ idleMs: 300 });
		const rcpt = stackUser(claimUser()).address;
		const lease = pools.acquire(profile, 'cred-idle');
		await sendAll(lease, profile, [rcpt]);
		const closing = once(pools, 'close', { signal: AbortSignal.timeout(10_000) });
		lease.release();
		expect(await closing).toEqual([lease.key, 'idle']);
		expect(pools.keys()).toEqual([]);
		await waitUntil('the idle connection to close', () => relay.open === 0);

		const opening = once(pools, 'open', { signal: AbortSignal.timeout(10_000) });
		const again = pools.acquire(profile, 'cred-idle');
		expect(await opening).toEqual([again.key]);
		await sendAll(again, profile, [rcpt]);
		again.release();
		expect(relay.connections).toBe(2);
	});

	test('a process whose pool is idle exits on its own, the pool still open', async () => {
		// socket timeout 3 × 60 s: nothing but the pool's idle handling ends the idle connection
		const { relay, profile } = await relayed('alice', { timeoutMs: 60_000 });
		const dir = mkdtempSync(path.join(tmpdir(), 'smtp-pool-child-'));
		try {
			const profileFile = path.join(dir, 'profile.json');
			writeFileSync(profileFile, JSON.stringify(profile));
			const child = spawn(
				process.execPath,
				[path.join(__dirname, 'smtp-pool-child.js'), profileFile, stackUser(claimUser()).address],
				{ stdio: ['ignore', 'pipe', 'inherit'] },
			);
			let out = '';
			child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
			// the pool's idle time is 30 s: a process held by its idle connection would not end in 20 s
			const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
			const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
			clearTimeout(guard);
			const lines = out
				.trim()
				.split('\n')
				.map((l) => JSON.parse(l) as Record<string, unknown>);
			expect({ code, signal, lines }).toEqual({
				code: 0,
				signal: null,
				lines: [{ sent: expect.stringMatching(/^<.+>$/) }, { openAtExit: 1 }],
			});
			expect(relay.connections).toBe(1);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
