/**
 * A real n8n server for the e2e tests: the pinned n8n of a harness folder, started as a child
 * process in its own process group with its own user folder (temp dir), ports, SQLite database
 * and encryption key, and this package installed into `<user folder>/.n8n/nodes` from the packed
 * tarball the way users get it. Stopped with SIGTERM, then SIGKILL of the whole group; a
 * watchdog (test/support/mail-stack/process.ts) kills every group it started and removes the
 * folder if the test process dies first.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	closeSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePorts, isPortFree } from '../../support/mail-stack/ports';
import { isRunning, killGroup, recordGroup, startWatchdog } from '../../support/mail-stack/process';
import { n8nEntryPoint, type N8nVersion } from './harness-folder';
import { N8nRest } from './n8n-rest';

const execFileAsync = promisify(execFile);

export const OWNER = {
	email: 'owner@e2e.example.test',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Owner-Pa55word',
};

export interface StartN8nOptions {
	version: N8nVersion;
	/** The packed package (`npm pack`), installed into the user folder's nodes directory. */
	tarball: string;
	/** PEM file n8n trusts in addition to the public CAs (NODE_EXTRA_CA_CERTS). */
	caFile?: string;
	/** Time allowed until n8n answers /healthz/readiness and /rest/settings; default 180 s. */
	readyTimeoutMs?: number;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Editor/REST port to use when it is free (e.g. 5678 for the demo); default: a random free port. */
	port?: number;
	/**
	 * Start WITHOUT the package (it is installed through n8n's UI, issue #16); `files` (path
	 * relative to the user folder → content, e.g. an .npmrc) are written before n8n starts.
	 */
	withoutPackage?: { files?: Record<string, string> };
}

export interface N8nTimings {
	/** `npm install` of the tarball into the nodes folder. */
	packageInstallMs: number;
	/** Spawn until /healthz/readiness and /rest/settings answered (last start). */
	startMs: number;
	/** Owner setup (first start) and login. */
	loginMs: number;
}

export interface N8nServer {
	version: N8nVersion;
	/** The n8n user folder (N8N_USER_FOLDER); removed by stop(). */
	userFolder: string;
	/** Base URL and REST client of the running process (both change on restart). */
	readonly baseUrl: string;
	readonly rest: N8nRest;
	readonly pid: number;
	readonly timings: N8nTimings;
	/** Last lines n8n printed (stdout and stderr, all starts), for failure messages. */
	logTail(lines?: number): string;
	/** SIGKILL of n8n's process group, as in a crash; user folder and database stay. */
	kill(): Promise<void>;
	/** Starts n8n again on the same user folder, database and key (after kill), and logs in. */
	restart(): Promise<void>;
	/** SIGTERM, up to `graceMs` for n8n to shut down, then SIGKILL of the group; removes the folder. Idempotent. */
	stop(graceMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines: number): string {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/**
 * Installs the tarball into `<userFolder>/.n8n/nodes` as a user would (`npm install` in n8n's
 * nodes folder, which n8n scans at start); peer dependencies (n8n-workflow) come from n8n itself.
 */
async function installPackage(userFolder: string, tarball: string): Promise<void> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true }, null, 2),
	);
	const env = { ...process.env };
	delete env.NODE_OPTIONS;
	try {
		await execFileAsync(
			'npm',
			['install', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', tarball],
			{ cwd: nodesDir, env, timeout: 180_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
		);
	} catch (error) {
		const e = error as { stderr?: string; message: string };
		throw new Error(
			`npm install of ${path.basename(tarball)} into ${nodesDir} failed: ${e.stderr || e.message}`,
		);
	}
}

function n8nEnv(
	userFolder: string,
	encryptionKey: string,
	port: number,
	brokerPort: number,
	options: StartN8nOptions,
): NodeJS.ProcessEnv {
	// A clean environment: nothing of the developer's N8N_*/DB_* settings or of Jest
	// (NODE_OPTIONS, NODE_ENV=test) reaches the server.
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: userFolder,
		TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
		LANG: 'C.UTF-8',
		TZ: 'UTC',
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		DB_TYPE: 'sqlite',
		EXECUTIONS_MODE: 'regular',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...options.env,
	};
	if (options.caFile) env.NODE_EXTRA_CA_CERTS = options.caFile;
	return env;
}

class StartFailed extends Error {
	constructor(
		message: string,
		readonly portTaken: boolean,
	) {
		super(message);
	}
}

async function waitForReadiness(
	baseUrl: string,
	child: ChildProcess,
	logFile: string,
	logFrom: number,
	timeoutMs: number,
	version: string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const thisStartsLog = () => readLogFrom(logFile, logFrom);
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			const log = thisStartsLog();
			throw new StartFailed(
				`n8n ${version} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log.split('\n').slice(-40).join('\n')}`,
				/EADDRINUSE/.test(log),
			);
		}
		try {
			// Readiness means the database is migrated; n8n 1.x registers its REST routes a moment
			// later, so the (unauthenticated) settings route must answer too.
			const ready = await fetch(`${baseUrl}/healthz/readiness`, {
				signal: AbortSignal.timeout(2_000),
			});
			await ready.arrayBuffer();
			if (ready.ok) {
				const settings = await fetch(`${baseUrl}/rest/settings`, {
					signal: AbortSignal.timeout(2_000),
				});
				const body = await settings.text();
				if (settings.ok && body.startsWith('{"data"')) return;
			}
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) {
			throw new StartFailed(
				`n8n ${version} was not ready at ${baseUrl}/healthz/readiness within ${timeoutMs} ms:\n${tail(logFile, 40)}`,
				false,
			);
		}
		await sleep(250);
	}
}

function logSize(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
}

function readLogFrom(file: string, offset: number): string {
	try {
		return readFileSync(file).subarray(offset).toString('utf8');
	} catch {
		return '';
	}
}

/** Starts n8n with the package installed, sets up the owner and logs in. */
export async function startN8n(options: StartN8nOptions): Promise<N8nServer> {
	const entry = n8nEntryPoint(options.version);
	const version = options.version;
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-n8n-${version}-`));
	// From here on the watchdog removes the folder and kills n8n if this process disappears.
	const watchdogPid = startWatchdog(process.pid, userFolder);
	const logFile = path.join(userFolder, 'n8n.log');
	const encryptionKey = randomBytes(24).toString('hex');
	let child: ChildProcess | undefined;
	let rest: N8nRest | undefined;
	let ownerCreated = false;
	let stopped = false;
	const timings: N8nTimings = { packageInstallMs: 0, startMs: 0, loginMs: 0 };

	const waitForExit = async (proc: ChildProcess, ms: number) => {
		if (proc.exitCode !== null || proc.signalCode !== null) return;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			new Promise((resolve) => proc.once('exit', resolve)),
			new Promise((resolve) => (timer = setTimeout(resolve, ms))),
		]);
		clearTimeout(timer);
	};

	const kill = async () => {
		const proc = child;
		if (!proc?.pid) return;
		killGroup(proc.pid);
		await waitForExit(proc, 10_000);
	};

	/** Spawns n8n (new ports when they were taken), waits until it is ready, logs in. */
	const launch = async () => {
		for (let attempt = 1; ; attempt++) {
			const [free, brokerPort] = await freePorts(2);
			const port =
				attempt === 1 && options.port && (await isPortFree(options.port)) ? options.port : free;
			const baseUrl = `http://127.0.0.1:${port}`;
			const logFrom = logSize(logFile);
			const out = openSync(logFile, 'a');
			const t0 = Date.now();
			try {
				child = spawn(process.execPath, [entry, 'start'], {
					cwd: userFolder,
					env: n8nEnv(userFolder, encryptionKey, port, brokerPort, options),
					detached: true,
					stdio: ['ignore', out, out],
				});
			} finally {
				closeSync(out);
			}
			if (!child.pid)
				throw new Error(`could not start n8n ${version} (${process.execPath} ${entry})`);
			recordGroup(userFolder, child.pid);
			child.unref();
			try {
				await waitForReadiness(
					baseUrl,
					child,
					logFile,
					logFrom,
					options.readyTimeoutMs ?? 180_000,
					version,
				);
			} catch (error) {
				await kill();
				if (error instanceof StartFailed && error.portTaken && attempt < 3) continue;
				throw error;
			}
			const t1 = Date.now();
			rest = new N8nRest(baseUrl, version);
			if (!ownerCreated) await rest.setupOwner(OWNER);
			ownerCreated = true;
			await rest.login(OWNER);
			timings.startMs = t1 - t0;
			timings.loginMs = Date.now() - t1;
			return;
		}
	};

	const stop = async (graceMs = 15_000): Promise<void> => {
		if (stopped) return;
		stopped = true;
		const proc = child;
		if (proc?.pid && isRunning(proc.pid)) {
			try {
				process.kill(-proc.pid, 'SIGTERM');
			} catch {
				/* already gone */
			}
			const deadline = Date.now() + graceMs;
			while (isRunning(proc.pid) && Date.now() < deadline) await sleep(100);
		}
		// Whatever is left of the group (task runners, a hanging shutdown) goes now.
		await kill();
		rmSync(userFolder, { recursive: true, force: true });
		// The watchdog sees the folder gone and exits; make sure it does.
		killGroup(watchdogPid);
	};

	try {
		const t0 = Date.now();
		if (options.withoutPackage) {
			for (const [file, content] of Object.entries(options.withoutPackage.files ?? {})) {
				mkdirSync(path.dirname(path.join(userFolder, file)), { recursive: true });
				writeFileSync(path.join(userFolder, file), content);
			}
		} else await installPackage(userFolder, options.tarball);
		timings.packageInstallMs = Date.now() - t0;
		await launch();
	} catch (error) {
		await stop(2_000);
		throw error;
	}

	return {
		version,
		userFolder,
		get baseUrl() {
			return rest!.baseUrl;
		},
		get rest() {
			return rest!;
		},
		get pid() {
			return child!.pid!;
		},
		timings,
		logTail: (lines = 60) => tail(logFile, lines),
		kill,
		restart: async () => {
			if (stopped) throw new Error(`n8n ${version} was stopped; it cannot be restarted`);
			await kill();
			await launch();
		},
		stop,
	};
}
