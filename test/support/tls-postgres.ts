/**
 * A private, throw-away PostgreSQL server with TLS (issue #11.8): Debian's PostgreSQL binaries
 * (/usr/lib/postgresql/<version>/bin) run `initdb` into a fresh temp directory and start a
 * server on a free port of 127.0.0.1 and ::1 with ssl = on and a certificate of a fresh test CA.
 * Clients are trusted without password, but only over TLS (pg_hba.conf has hostssl lines only).
 * Nothing on the machine is configured or touched; startup takes about a second (initdb
 * without fsync, then the server).
 *
 * As root, the server runs as the `postgres` user (PostgreSQL refuses root). It is stopped by
 * `stop()`, on process exit, and by the mail stack's watchdog when the test process dies.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
	chownSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	promises as fs,
	readdirSync,
	rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './mail-stack/ports';
import { killGroup, recordGroup, startWatchdog } from './mail-stack/process';
import { createTestCertificates } from './mail-stack/tls';

export interface TlsPostgres {
	host: '127.0.0.1';
	port: number;
	user: 'postgres';
	database: 'postgres';
	/** PEM of the CA that signed the server certificate. */
	caPem: string;
	/** Names the server certificate is issued for (openssl syntax). */
	subjectAltName: string;
	/** Milliseconds from the start to the first accepted connection. */
	startupMs: number;
	/** Changes ssl in postgresql.conf, reloads, and resolves once the server has applied it. */
	setSsl(on: boolean): Promise<void>;
	stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length) {
		throw new Error(
			`the TLS PostgreSQL tests need PostgreSQL's server binaries in ${root}/<version>/bin (Debian/Ubuntu: apt-get install postgresql)`,
		);
	}
	return path.join(root, versions[0], 'bin');
}

/** As root: the uid/gid of the `postgres` user, else nothing (run as the current user). */
function serverUser(): { uid: number; gid: number } | undefined {
	if ((process.getuid?.() ?? 1) !== 0) return undefined;
	const id = (flag: string) =>
		Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	return { uid: id('-u'), gid: id('-g') };
}

/** Resolves when `line` appears in the log after offset `from`; rejects when the child exits first. */
function waitForLog(
	child: ChildProcess,
	log: { text: string },
	line: string,
	deadline: number,
	from = 0,
): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => finish(new Error(`PostgreSQL did not log "${line}" in time:\n${log.text}`)),
			Math.max(0, deadline - Date.now()),
		);
		const onData = () => {
			if (log.text.indexOf(line, from) >= 0) finish();
		};
		const onExit = () => finish(new Error(`PostgreSQL exited:\n${log.text}`));
		function finish(error?: Error) {
			clearTimeout(timer);
			child.stderr?.off('data', onData);
			child.off('exit', onExit);
			if (error) reject(error);
			else resolve();
		}
		child.stderr?.on('data', onData);
		child.once('exit', onExit);
		onData();
	});
}

export async function startTlsPostgres(
	options: { subjectAltName?: string; timeoutMs?: number } = {},
): Promise<TlsPostgres> {
	const started = Date.now();
	const deadline = started + (options.timeoutMs ?? 30_000);
	const bin = postgresBin();
	const user = serverUser();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-pg-tls-'));
	await fs.chmod(dir, 0o755);
	const watchdogPid = startWatchdog(process.pid, dir);
	let child: ChildProcess | undefined;
	const cleanup = () => {
		killGroup(child?.pid);
		killGroup(watchdogPid);
		rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
	};
	process.on('exit', cleanup);
	try {
		const subjectAltName = options.subjectAltName ?? 'IP:127.0.0.1,IP:::1,DNS:localhost';
		const certs = await createTestCertificates(path.join(dir, 'tls'), { subjectAltName });
		const data = path.join(dir, 'data');
		mkdirSync(data, { mode: 0o700 });
		if (user)
			for (const file of [data, certs.keyFile, certs.certFile]) chownSync(file, user.uid, user.gid);
		const asServer = { ...user, env: { ...process.env, LC_ALL: 'C' }, timeout: 30_000 };
		execFileSync(
			path.join(bin, 'initdb'),
			['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
			{ ...asServer, stdio: 'pipe' },
		);
		await fs.writeFile(
			path.join(data, 'pg_hba.conf'),
			['hostssl all all 127.0.0.1/32 trust', 'hostssl all all ::1/128 trust', ''].join('\n'),
		);
		const conf = path.join(data, 'postgresql.conf');
		const common = [
			`ssl_cert_file = '${certs.certFile}'`,
			`ssl_key_file = '${certs.keyFile}'`,
			"unix_socket_directories = ''",
			"listen_addresses = '127.0.0.1,::1'",
			'fsync = off',
			'max_connections = 30',
		];
		const base = await fs.readFile(conf, 'utf8');
		const writeConf = (port: number, ssl: boolean) =>
			fs.writeFile(
				conf,
				[base, ...common, `port = ${port}`, `ssl = ${ssl ? 'on' : 'off'}`, ''].join('\n'),
			);
		let port = 0;
		const log = { text: '' };
		for (let attempt = 1; ; attempt++) {
			[port] = await freePorts(1);
			await writeConf(port, true);
			log.text = '';
			child = spawn(path.join(bin, 'postgres'), ['-D', data], {
				...asServer,
				detached: true,
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log.text += chunk));
			if (child.pid) recordGroup(dir, child.pid);
			try {
				await waitForLog(child, log, READY, deadline);
				break;
			} catch (error) {
				killGroup(child.pid);
				// another process took the port in between: try a new one
				if (attempt < 3 && /could not (bind|create any TCP\/IP sockets)/i.test(log.text)) continue;
				throw error;
			}
		}
		const server = child;
		let ssl = true;
		return {
			host: '127.0.0.1',
			port,
			user: 'postgres',
			database: 'postgres',
			caPem: certs.caPem,
			subjectAltName,
			startupMs: Date.now() - started,
			async setSsl(on) {
				if (on === ssl) return;
				await writeConf(port, on);
				const line = `parameter "ssl" changed to "${on ? 'on' : 'off'}"`;
				const applied = waitForLog(server, log, line, Date.now() + 10_000, log.text.length);
				process.kill(server.pid as number, 'SIGHUP');
				await applied;
				ssl = on;
			},
			async stop() {
				const exited = new Promise((resolve) => {
					if (server.exitCode !== null || server.signalCode !== null) resolve(undefined);
					else server.once('exit', resolve);
				});
				killGroup(server.pid);
				await exited;
				process.off('exit', cleanup);
				cleanup();
			},
		};
	} catch (error) {
		process.off('exit', cleanup);
		cleanup();
		throw error;
	}
}
