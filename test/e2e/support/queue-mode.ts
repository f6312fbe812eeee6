/**
 * n8n in queue mode for the e2e tests and the queue benchmark (issue #15.5): one main process
 * (`n8n start`: editor, REST API, the triggers) and `n8n worker` processes (they run the
 * executions), all on 127.0.0.1, against the machine's Redis (a private db number and key
 * prefixes) and a fresh PostgreSQL database that is created here and dropped by stop().
 *
 * Every process has its own user folder with the packed package installed into
 * `<user folder>/.n8n/nodes` as users install it, and all share one N8N_ENCRYPTION_KEY (the
 * workers decrypt the credentials the main saved). The main is started by startN8n
 * (n8n-server.ts: readiness, owner, login); the workers here, each in its own process group with
 * its own task-broker port and worker server (QUEUE_HEALTH_CHECK_PORT, /healthz/readiness), and
 * watched by the mail stack's watchdog like the main.
 *
 * Which worker ran an execution: n8n records no worker on the execution; each worker logs
 * "Worker started execution <id> (job <job>)" into its own log file, which workerOf() reads.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	closeSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import { pgConnection } from '../../integration/store/support/backends';
import { freePorts } from '../../support/mail-stack/ports';
import { isRunning, killGroup, recordGroup, startWatchdog } from '../../support/mail-stack/process';
import { n8nEntryPoint, requireFromHarness, type N8nVersion } from './harness-folder';
import { startN8n, type N8nServer } from './n8n-server';

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Database names and Redis key prefixes carry the pid of the test process, so leftovers of runs
 * that were killed before their afterAll are removed by the next run.
 */
const DB_PREFIX = 'mc_e2e_queue_';

export interface QueueClusterOptions {
	version: N8nVersion;
	tarball: string;
	caFile?: string;
	/** Number of `n8n worker` processes; default 2. */
	workers?: number;
	/** `n8n worker --concurrency`; default 5 (n8n warns below 5). */
	workerConcurrency?: number;
	/** Redis db number (QUEUE_BULL_REDIS_DB); default MAIL_CASES_E2E_REDIS_DB or 11. */
	redisDb?: number;
	/** Extra environment for every process (e.g. Bull's lock timers). */
	env?: Record<string, string>;
	readyTimeoutMs?: number;
}

export interface QueueWorker {
	readonly name: string;
	readonly userFolder: string;
	/** Pid of the running worker (its process group leader), undefined while it is down. */
	readonly pid: number | undefined;
	/** Execution ids this worker started (from its log, all of its starts). */
	startedExecutions(): string[];
	/** Execution ids this worker started and has not logged as finished (its current start). */
	runningExecutions(): string[];
	logTail(lines?: number): string;
	/** SIGKILL of the worker's process group, as in a crash. */
	kill(): Promise<void>;
	/** Starts the worker (again) on the same user folder and waits for its readiness. */
	start(): Promise<void>;
}

export interface QueueCluster {
	main: N8nServer;
	workers: QueueWorker[];
	/** The n8n database (PostgreSQL) and the Redis settings the processes share. */
	database: string;
	redis: { db: number; bullPrefix: string; keyPrefix: string };
	/** Install + start of the main until it answered and logged in; start of the workers (in parallel). */
	timings: { mainMs: number; workersMs: number };
	/** The worker that started `executionId` (by its log), or undefined. */
	workerOf(executionId: string): string | undefined;
	/** main, worker 1 … with their current pids and log tails, for failure messages. */
	describe(lines?: number): string;
	/** Stops every process (SIGTERM, then SIGKILL of the groups), drops the database and the Redis keys. */
	stop(): Promise<void>;
}

function tail(file: string, lines: number): string {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

async function pgAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ ...pgConnection(), database: 'postgres' });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

/** Drops the databases of earlier runs whose test process is gone. */
async function dropStaleDatabases(): Promise<void> {
	await pgAdmin(async (client) => {
		const { rows } = await client.query<{ datname: string }>(
			`select datname from pg_database where datname like '${DB_PREFIX}%'`,
		);
		for (const { datname } of rows) {
			const pid = Number(new RegExp(`^${DB_PREFIX}(\\d+)_`).exec(datname)?.[1]);
			if (pid && pid !== process.pid && !isRunning(pid))
				await client.query(`drop database if exists "${datname}" with (force)`);
		}
	});
}

/**
 * Deletes the Redis keys of the cluster (Bull queue and n8n's own keys, `prefixes`) in its db;
 * with `stale`, also the keys of earlier runs whose test process is gone (their prefixes carry
 * its pid).
 */
async function deleteRedisKeys(
	version: N8nVersion,
	db: number,
	prefixes: string[],
	stale = false,
): Promise<void> {
	type Redis = {
		scan(cursor: string, ...args: Array<string | number>): Promise<[string, string[]]>;
		del(...keys: string[]): Promise<number>;
		quit(): Promise<unknown>;
		disconnect(): void;
	};
	const IORedis = requireFromHarness<new (o: Record<string, unknown>) => Redis>(version, 'ioredis');
	const redis = new IORedis({
		host: process.env.REDIS_HOST || '127.0.0.1',
		port: Number(process.env.REDIS_PORT || 6379),
		db,
		lazyConnect: false,
		maxRetriesPerRequest: 2,
	});
	const isStale = (key: string) => {
		const pid = Number(/^\{?mc-e2e-(?:bull|n8n)-(\d+)-/.exec(key)?.[1]);
		return pid > 0 && pid !== process.pid && !isRunning(pid);
	};
	const patterns = prefixes.flatMap((p) => [`${p}*`, `{${p}}*`]);
	if (stale) patterns.push('mc-e2e-*', '{mc-e2e-*');
	try {
		for (const pattern of patterns) {
			let cursor = '0';
			do {
				const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
				cursor = next;
				const keys = pattern.includes('mc-e2e-*') ? found.filter(isStale) : found;
				if (keys.length > 0) await redis.del(...keys);
			} while (cursor !== '0');
		}
		await redis.quit();
	} catch {
		redis.disconnect();
	}
}

/** `npm install` of the tarball into `<userFolder>/.n8n/nodes`, as n8n-server.ts does it. */
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
		throw new Error(`npm install into ${nodesDir} failed: ${e.stderr || e.message}`);
	}
}

/** Environment of every process of the cluster: queue mode, PostgreSQL, Redis, one key. */
function sharedEnv(
	database: string,
	encryptionKey: string,
	redis: QueueCluster['redis'],
	extra: Record<string, string> = {},
): Record<string, string> {
	const pg = pgConnection();
	return {
		EXECUTIONS_MODE: 'queue',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_ENCRYPTION_KEY: encryptionKey,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: pg.password ?? '',
		QUEUE_BULL_REDIS_HOST: process.env.REDIS_HOST || '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: process.env.REDIS_PORT || '6379',
		QUEUE_BULL_REDIS_DB: String(redis.db),
		QUEUE_BULL_PREFIX: redis.bullPrefix,
		// n8n's own keys and pub/sub channels (pub/sub ignores the db number).
		N8N_REDIS_KEY_PREFIX: redis.keyPrefix,
		...extra,
	};
}

/** The worker's environment: as the main's (n8n-server.ts), plus its worker server. */
function workerEnv(
	userFolder: string,
	brokerPort: number,
	healthPort: number,
	shared: Record<string, string>,
	caFile: string | undefined,
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: userFolder,
		TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
		LANG: 'C.UTF-8',
		TZ: 'UTC',
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...shared,
	};
	if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
	return env;
}

/** Pids of a process group (the n8n process and its task runners), from /proc. */
export function groupPids(pgid: number): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) pids.push(Number(entry));
		} catch {
			/* gone */
		}
	}
	return pids;
}

function startWorker(
	name: string,
	dir: string,
	entry: string,
	shared: Record<string, string>,
	options: QueueClusterOptions,
): QueueWorker & { prepare(): Promise<void>; stop(graceMs: number): Promise<void> } {
	const userFolder = path.join(dir, name);
	const logFile = path.join(userFolder, 'n8n.log');
	let child: ChildProcess | undefined;
	const concurrency = options.workerConcurrency ?? 5;
	/** Offset in the log (characters) where the current start's lines begin. */
	let startedAt = 0;
	const readLog = () => {
		try {
			return readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};

	const exited = (proc: ChildProcess) => proc.exitCode !== null || proc.signalCode !== null;
	const waitForExit = async (proc: ChildProcess, ms: number) => {
		if (exited(proc)) return;
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

	const start = async () => {
		await kill();
		for (let attempt = 1; ; attempt++) {
			const [brokerPort, healthPort] = await freePorts(2);
			const logFrom = (() => {
				try {
					return readFileSync(logFile).length;
				} catch {
					return 0;
				}
			})();
			startedAt = readLog().length;
			const out = openSync(logFile, 'a');
			try {
				child = spawn(process.execPath, [entry, 'worker', `--concurrency=${concurrency}`], {
					cwd: userFolder,
					env: workerEnv(userFolder, brokerPort, healthPort, shared, options.caFile),
					detached: true,
					stdio: ['ignore', out, out],
				});
			} finally {
				closeSync(out);
			}
			const proc = child;
			if (!proc.pid) throw new Error(`could not start n8n worker ${name}`);
			recordGroup(dir, proc.pid);
			proc.unref();
			const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
			for (;;) {
				if (exited(proc)) {
					const log = readFileSync(logFile).subarray(logFrom).toString('utf8');
					if (/EADDRINUSE|already in use/.test(log) && attempt < 3) break;
					throw new Error(
						`n8n worker ${name} exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${log.split('\n').slice(-40).join('\n')}`,
					);
				}
				try {
					const res = await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`, {
						signal: AbortSignal.timeout(2_000),
					});
					await res.arrayBuffer();
					if (res.ok) return;
				} catch {
					/* not listening yet */
				}
				if (Date.now() > deadline) {
					await kill();
					throw new Error(
						`n8n worker ${name} was not ready on port ${healthPort} in time:\n${tail(logFile, 40)}`,
					);
				}
				await sleep(250);
			}
		}
	};

	return {
		name,
		userFolder,
		get pid() {
			return child?.pid && !exited(child) ? child.pid : undefined;
		},
		startedExecutions: () =>
			[...readLog().matchAll(/Worker started execution (\d+) \(job/g)].map((m) => m[1]),
		runningExecutions: () => {
			const log = readLog().slice(startedAt);
			const finished = new Set(
				[...log.matchAll(/Worker finished execution (\d+) \(job/g)].map((m) => m[1]),
			);
			return [...log.matchAll(/Worker started execution (\d+) \(job/g)]
				.map((m) => m[1])
				.filter((id) => !finished.has(id));
		},
		logTail: (lines = 40) => tail(logFile, lines),
		kill,
		start,
		prepare: async () => {
			mkdirSync(userFolder, { recursive: true });
			await installPackage(userFolder, options.tarball);
		},
		stop: async (graceMs: number) => {
			const proc = child;
			if (proc?.pid && !exited(proc)) {
				try {
					process.kill(-proc.pid, 'SIGTERM');
				} catch {
					/* gone */
				}
				const deadline = Date.now() + graceMs;
				while (!exited(proc) && Date.now() < deadline) await sleep(100);
			}
			await kill();
		},
	};
}

/**
 * Starts main + workers in queue mode. On any failure everything started so far is stopped and
 * the database dropped before the error is thrown.
 */
export async function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	const entry = n8nEntryPoint(options.version);
	const tag = randomBytes(4).toString('hex');
	const database = `${DB_PREFIX}${process.pid}_${tag}`;
	const redis = {
		db: options.redisDb ?? Number(process.env.MAIL_CASES_E2E_REDIS_DB ?? 11),
		bullPrefix: `mc-e2e-bull-${process.pid}-${tag}`,
		keyPrefix: `mc-e2e-n8n-${process.pid}-${tag}`,
	};
	const encryptionKey = randomBytes(24).toString('hex');
	const shared = sharedEnv(database, encryptionKey, redis, options.env);
	const dir = mkdtempSync(path.join(os.tmpdir(), `mail-cases-e2e-queue-${options.version}-`));
	const watchdogPid = startWatchdog(process.pid, dir);
	const workers = Array.from({ length: options.workers ?? 2 }, (_, i) =>
		startWorker(`worker-${i + 1}`, dir, entry, shared, options),
	);
	let main: N8nServer | undefined;
	let stopped = false;
	const timings = { mainMs: 0, workersMs: 0 };

	const stop = async () => {
		if (stopped) return;
		stopped = true;
		await Promise.all([
			main?.stop().catch(() => undefined),
			...workers.map((w) => w.stop(15_000).catch(() => undefined)),
		]);
		rmSync(dir, { recursive: true, force: true });
		killGroup(watchdogPid);
		await pgAdmin((c) => c.query(`drop database if exists "${database}" with (force)`)).catch(
			() => undefined,
		);
		await deleteRedisKeys(options.version, redis.db, [redis.bullPrefix, redis.keyPrefix]);
	};

	try {
		await dropStaleDatabases();
		await deleteRedisKeys(options.version, redis.db, [], true);
		await pgAdmin((c) => c.query(`create database "${database}"`));
		// The main migrates the database; the workers start once it is ready.
		const tMain = Date.now();
		const [started] = await Promise.all([
			startN8n({
				version: options.version,
				tarball: options.tarball,
				caFile: options.caFile,
				readyTimeoutMs: options.readyTimeoutMs,
				env: shared,
			}),
			...workers.map((w) => w.prepare()),
		]);
		timings.mainMs = Date.now() - tMain;
		main = started;
		const t0 = Date.now();
		await Promise.all(workers.map((w) => w.start()));
		timings.workersMs = Date.now() - t0;
	} catch (error) {
		await stop();
		throw error;
	}

	const cluster: QueueCluster = {
		main,
		workers,
		timings,
		database,
		redis,
		workerOf: (executionId) =>
			workers.find((w) => w.startedExecutions().includes(executionId))?.name,
		describe: (lines = 15) =>
			[
				`main (pid ${main!.pid}):\n${main!.logTail(lines)}`,
				...workers.map((w) => `${w.name} (pid ${w.pid ?? 'down'}):\n${w.logTail(lines)}`),
			].join('\n---\n'),
		stop,
	};
	return cluster;
}
