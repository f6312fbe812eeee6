import { mkdtempSync, promises as fs, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startDovecot, type RunningDovecot } from './dovecot';
import { freePorts } from './ports';
import { startPostfix, type RunningPostfix } from './postfix';
import { killGroup, startWatchdog } from './process';
import { certificatePaths, createTestCertificates } from './tls';
import type { MailStackHandle, MailStackOptions, StackDescription, StackPorts } from './types';
import { buildUsers, STACK_DOMAIN } from './users';

/** Prefix of every stack directory in the temp dir. */
export const STACK_DIR_PREFIX = 'mail-cases-stack-';

const PORT_NAMES: (keyof StackPorts)[] = [
	'imap',
	'imaps',
	'pop3',
	'pop3s',
	'lmtp',
	'smtp',
	'submission',
	'smtps',
	'dovecotAuth',
];

async function pickPorts(preferred: Partial<StackPorts> = {}): Promise<StackPorts> {
	for (;;) {
		const list = await freePorts(PORT_NAMES.length);
		const ports = Object.fromEntries(
			PORT_NAMES.map((n, i) => [n, preferred[n] ?? list[i]]),
		) as unknown as StackPorts;
		if (new Set(Object.values(ports)).size === PORT_NAMES.length) return ports;
	}
}

/** Synchronous, best-effort cleanup; safe to call from `process.on('exit')` and more than once. */
function destroySync(
	desc: Pick<StackDescription, 'dir' | 'dovecotPid' | 'postfixPid' | 'watchdogPid'>,
): void {
	killGroup(desc.watchdogPid);
	killGroup(desc.dovecotPid);
	killGroup(desc.postfixPid);
	try {
		rmSync(desc.dir, { recursive: true, force: true, maxRetries: 3 });
	} catch {
		/* a process that was just killed may still be writing; the watchdog is gone, nothing else to do */
	}
}

/**
 * Stops a stack from its description alone (e.g. in a process other than the one that started
 * it). Only kills what the description names.
 */
export function stopStackFromDescription(desc: StackDescription): void {
	destroySync(desc);
}

/**
 * Starts a throw-away Dovecot + Postfix pair on free 127.0.0.1 ports in a fresh temp directory.
 * Everything is killed (SIGKILL to the process groups) and removed on `stop()`, on process exit,
 * and - by a detached watchdog - when the owning process dies without either.
 */
export async function startMailStack(options: MailStackOptions = {}): Promise<MailStackHandle> {
	if ((process.getuid?.() ?? 0) !== 0) {
		// Postfix's master must start as root; Dovecot then runs its mail processes as nobody.
		throw new Error('the test mail stack (Postfix, Dovecot) must be started as root');
	}
	const started = Date.now();
	const deadline = started + (options.timeoutMs ?? 15_000);
	const tmpRoot = options.tmpRoot ?? os.tmpdir();
	const dir = mkdtempSync(path.join(tmpRoot, STACK_DIR_PREFIX));
	// Dovecot's auth/mail users and Postfix's master must be able to traverse it (mkdtemp: 0700).
	await fs.chmod(dir, 0o755);
	const ownerPid = options.ownerPid ?? process.pid;
	const watchdogPid = startWatchdog(ownerPid, dir);
	const state = { dir, dovecotPid: 0, postfixPid: 0, watchdogPid, stopped: false };
	const onExit = () => {
		if (!state.stopped) destroySync(state);
	};
	process.on('exit', onExit);

	try {
		const users = buildUsers(options.extraUsers);
		// Postfix's master does not read the certificate (smtpd does, per connection), so it starts
		// while openssl is still at work; Dovecot reads it at startup and waits for it.
		const tlsDir = path.join(dir, 'tls');
		const certificates = createTestCertificates(tlsDir);
		certificates.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
		const tls = certificatePaths(tlsDir);
		let dovecot: RunningDovecot | undefined;
		let postfix: RunningPostfix | undefined;
		let ports: StackPorts | undefined;
		let dovecotSetup: Parameters<typeof startDovecot>[0] | undefined;
		for (let attempt = 1; ; attempt++) {
			ports = await pickPorts(attempt === 1 ? options.ports : undefined);
			const common = {
				ports,
				root: dir,
				certFile: tls.certFile,
				keyFile: tls.keyFile,
				users,
				domain: STACK_DOMAIN,
				debug: options.debug,
			};
			dovecotSetup = common;
			const results = await Promise.allSettled([
				certificates.then(() => startDovecot(common, deadline)),
				startPostfix(common, deadline),
			]);
			if (results[0].status === 'fulfilled') dovecot = results[0].value;
			if (results[1].status === 'fulfilled') postfix = results[1].value;
			if (dovecot && postfix) break;
			killGroup(dovecot?.pid);
			killGroup(postfix?.pid);
			dovecot = postfix = undefined;
			const errors = results.flatMap((r) =>
				r.status === 'rejected' ? [r.reason as Error & { addressInUse?: boolean }] : [],
			);
			// Another process took one of the probed ports in between: try again with new ones.
			if (attempt < 3 && errors.every((e) => e.addressInUse) && Date.now() < deadline) {
				await fs.rm(path.join(dir, 'dovecot'), { recursive: true, force: true });
				await fs.rm(path.join(dir, 'spool'), { recursive: true, force: true });
				await fs.rm(path.join(dir, 'pgids'), { force: true });
				continue;
			}
			throw new AggregateError(
				errors,
				`the mail stack did not start:\n${errors.map((e) => e.message).join('\n')}`,
			);
		}
		const { caPem } = await certificates;
		state.dovecotPid = dovecot.pid;
		state.postfixPid = postfix.pid;

		const description: StackDescription = {
			dir,
			host: '127.0.0.1',
			domain: STACK_DOMAIN,
			ports,
			caPem,
			caFile: tls.caFile,
			users,
			dovecotPid: dovecot.pid,
			postfixPid: postfix.pid,
			watchdogPid,
			ownerPid,
			logs: { dovecot: dovecot.paths.log, postfix: postfix.paths.log },
			startupMs: Date.now() - started,
		};
		const describe = (): StackDescription => JSON.parse(JSON.stringify(description));
		const stop = async (): Promise<void> => {
			if (state.stopped) return;
			state.stopped = true;
			process.removeListener('exit', onExit);
			destroySync(state);
		};
		const setupForRestart = dovecotSetup!;
		const dovecotRunDir = path.join(dovecot.paths.dir, 'run');
		/** Outage tests: kill Dovecot (all its processes, at once, like a crash). */
		const stopDovecot = (): void => {
			killGroup(state.dovecotPid);
		};
		/** Starts Dovecot again on the same ports with the same mailboxes. */
		const restartDovecot = async (): Promise<void> => {
			killGroup(state.dovecotPid);
			// A stale anvil socket in run/ would stall the first login (see shared/notes).
			await fs.rm(dovecotRunDir, { recursive: true, force: true });
			const again = await startDovecot(setupForRestart, Date.now() + 15_000);
			state.dovecotPid = again.pid;
			description.dovecotPid = again.pid;
		};
		return { ...describe(), describe, stop, stopDovecot, restartDovecot };
	} catch (error) {
		state.stopped = true;
		process.removeListener('exit', onExit);
		destroySync(state);
		throw error;
	}
}

/** Writes the description as JSON (mode 0600) and returns the file path. */
export function writeDescription(
	desc: StackDescription,
	file = path.join(desc.dir, 'stack.json'),
): string {
	writeFileSync(file, JSON.stringify(desc, null, 2) + '\n', { mode: 0o600 });
	return file;
}
