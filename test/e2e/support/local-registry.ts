/**
 * A private npm registry on loopback for the e2e tests: Verdaccio (pinned in test/e2e/registry/,
 * installed by scripts/e2e-install.sh) in its own process group on a free 127.0.0.1 port, with a
 * temp storage, a config without uplinks (nothing leaves the machine: a package that was not
 * published here is a 404 at once) and one publish user whose token sits in a private npmrc.
 *
 * Installing this package from the registry needs its dependencies there too: at start the
 * registry is seeded with the production dependency tree of the root package-lock.json (the
 * tarballs come from npm's cache, filled by `npm ci`, so no download). Our own package is then
 * published with the real client (`npm publish <tgz>`), as a maintainer does.
 *
 * Stopped with SIGTERM, then SIGKILL of the group; the mail stack's watchdog
 * (test/support/mail-stack/process.ts) kills it and removes its folder if the test process dies.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { freePorts } from '../../support/mail-stack/ports';
import { isRunning, killGroup, recordGroup, startWatchdog } from '../../support/mail-stack/process';
import { E2E_DIR, REPO_ROOT } from './harness-folder';

/** The Verdaccio and scanner installation (test/e2e/registry/). */
export const REGISTRY_TOOLS_DIR = path.join(E2E_DIR, 'registry');
const INSTALL_STAMP = '.mail-cases-e2e-installed';

export interface PublishedVersion {
	name: string;
	version: string;
}

export interface LocalRegistry {
	/** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/` (npm's --registry). */
	url: string;
	/** npmrc with `registry=` only (npm's --userconfig); reading needs no login. */
	npmrc: string;
	/** Environment for npm (and for programs that run npm) against this registry only. */
	npmEnv(): NodeJS.ProcessEnv;
	/** Runs npm against this registry in `cwd`; rejects with npm's output on a non-zero exit. */
	npm(args: string[], cwd: string, timeoutMs?: number): Promise<string>;
	/** `npm publish <tarball>` (the version in its package.json, dist-tag latest). */
	publish(tarballPath: string): Promise<PublishedVersion>;
	/** Repacks the tarball with `version` in its package.json and publishes that (e.g. 0.1.1). */
	publishAs(tarballPath: string, version: string): Promise<PublishedVersion>;
	/** Names of the packages the registry was seeded with (our dependency tree). */
	seeded: string[];
	/** Last lines of Verdaccio's log, for failure messages. */
	logTail(lines?: number): string;
	/** SIGTERM, then SIGKILL of the group; removes storage and config. Idempotent. */
	stop(): Promise<void>;
}

export interface StartLocalRegistryOptions {
	/** Seed the dependency tree of the root package-lock.json; default true. */
	seedDependencies?: boolean;
	/** Time allowed until Verdaccio answers /-/ping; default 60 s. */
	readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function verdaccioEntryPoint(): string {
	const modules = path.join(REGISTRY_TOOLS_DIR, 'node_modules');
	const entry = path.join(modules, 'verdaccio', 'bin', 'verdaccio');
	if (!existsSync(path.join(modules, INSTALL_STAMP)) || !existsSync(entry)) {
		throw new Error(
			`Verdaccio is not installed in ${modules}: run scripts/e2e-install.sh registry (about a minute once)`,
		);
	}
	return entry;
}

function tail(file: string, lines: number): string {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/** No uplinks: only what is published here exists; everyone may read, the publish user writes. */
function verdaccioConfig(dir: string): string {
	return [
		`storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
		`plugins: ${JSON.stringify(path.join(dir, 'plugins'))}`,
		'web:',
		'  enable: false',
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
		'    max_users: 1',
		'uplinks: {}',
		'packages:',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    unpublish: $authenticated',
		// JWT tokens: checked by signature, not by bcrypt on every request as the legacy tokens are.
		'security:',
		'  api:',
		'    jwt:',
		'      sign:',
		'        expiresIn: 1d',
		'server:',
		'  keepAliveTimeout: 60',
		'max_body_size: 200mb',
		'log:',
		'  type: stdout',
		'  format: pretty',
		'  level: http',
		'',
	].join('\n');
}

/** package.json of a package tarball (first entry `<top>/package.json`), read in memory. */
export function readTarballManifest(tarball: string): Record<string, unknown> {
	const tar = gunzipSync(readFileSync(tarball));
	let longName: string | undefined;
	for (let offset = 0; offset + 512 <= tar.length; ) {
		const header = tar.subarray(offset, offset + 512);
		if (header.every((b) => b === 0)) break;
		const field = (from: number, len: number) =>
			header
				.subarray(from, from + len)
				.toString('utf8')
				.replace(/\0.*$/s, '');
		const size = Number.parseInt(field(124, 12).trim() || '0', 8);
		const type = field(156, 1);
		const prefix = field(345, 155);
		let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
		longName = undefined;
		const body = tar.subarray(offset + 512, offset + 512 + size);
		offset += 512 + Math.ceil(size / 512) * 512;
		if (type === 'L') {
			longName = body.toString('utf8').replace(/\0.*$/s, '');
			continue;
		}
		name = name.replace(/^\.\//, '');
		if ((type === '0' || type === '') && /^[^/]+\/package\.json$/.test(name)) {
			return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
		}
	}
	throw new Error(`${tarball} holds no <folder>/package.json: not an npm package tarball`);
}

/** Production packages of the root package-lock.json: `name@version` each. */
function productionTree(): string[] {
	const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
		packages: Record<
			string,
			{
				name?: string;
				version?: string;
				dev?: boolean;
				devOptional?: boolean;
				link?: boolean;
			}
		>;
	};
	const tree = new Set<string>();
	for (const [key, entry] of Object.entries(lock.packages)) {
		if (!key || entry.dev || entry.devOptional || entry.link || !entry.version) continue;
		const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
		tree.add(`${name}@${entry.version}`);
	}
	return [...tree];
}

function cleanEnv(home: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		// Jest's NODE_OPTIONS and any npm settings of the caller stay out.
		if (key === 'NODE_OPTIONS' || /^npm_/i.test(key)) continue;
		env[key] = value;
	}
	env.HOME = home;
	return env;
}

/** Runs a program; rejects with its output (`stdout`, `stderr`, `killed` on the error) unless it exits 0. */
function run(
	file: string,
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv,
	timeoutMs: number,
): Promise<string> {
	const options = { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL' as const };
	return new Promise((resolve, reject) => {
		execFile(file, args, { ...options, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
			if (!error) return resolve(stdout);
			const killed = Boolean(error.killed);
			const what = `${file} ${args.join(' ')} failed in ${cwd}`;
			const why = killed ? ` (killed after ${timeoutMs} ms)` : '';
			reject(
				Object.assign(new Error(`${what}${why}: ${error.message}\n${stdout}\n${stderr}`), {
					stdout,
					stderr,
					killed,
				}),
			);
		});
	});
}

/** Starts Verdaccio, creates the publish user and seeds our dependency tree. */
export async function startLocalRegistry(
	options: StartLocalRegistryOptions = {},
): Promise<LocalRegistry> {
	const entry = verdaccioEntryPoint();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-e2e-registry-'));
	// From here on the watchdog removes the folder and kills Verdaccio if this process disappears.
	const watchdogPid = startWatchdog(process.pid, dir);
	const home = path.join(dir, 'home');
	mkdirSync(home);
	mkdirSync(path.join(dir, 'plugins'));
	const configFile = path.join(dir, 'config.yaml');
	writeFileSync(configFile, verdaccioConfig(dir));
	const logFile = path.join(dir, 'verdaccio.log');
	const npmrc = path.join(dir, 'npmrc');
	const publishNpmrc = path.join(dir, 'npmrc-publish');
	const npmCache = path.join(dir, 'npm-cache');
	let child: ChildProcess | undefined;
	let stopped = false;
	let url = '';

	const stop = async (): Promise<void> => {
		if (stopped) return;
		stopped = true;
		const pid = child?.pid;
		if (pid && isRunning(pid)) {
			try {
				process.kill(-pid, 'SIGTERM');
			} catch {
				/* already gone */
			}
			const deadline = Date.now() + 5_000;
			while (isRunning(pid) && Date.now() < deadline) await sleep(50);
		}
		killGroup(pid);
		rmSync(dir, { recursive: true, force: true });
		killGroup(watchdogPid);
	};

	const launch = async (port: number): Promise<boolean> => {
		const out = openSync(logFile, 'a');
		try {
			child = spawn(
				process.execPath,
				[entry, '--config', configFile, '--listen', `127.0.0.1:${port}`],
				{
					cwd: dir,
					env: { ...cleanEnv(home), NODE_ENV: 'production' },
					detached: true,
					stdio: ['ignore', out, out],
				},
			);
		} finally {
			closeSync(out);
		}
		if (!child.pid) throw new Error(`could not start Verdaccio (${process.execPath} ${entry})`);
		recordGroup(dir, child.pid);
		child.unref();
		const proc = child;
		const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
		for (;;) {
			if (proc.exitCode !== null || proc.signalCode !== null) {
				if (/EADDRINUSE/.test(tail(logFile, 40))) return false;
				throw new Error(
					`Verdaccio exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${tail(logFile, 40)}`,
				);
			}
			try {
				const res = await fetch(`http://127.0.0.1:${port}/-/ping`, {
					signal: AbortSignal.timeout(2_000),
				});
				await res.arrayBuffer();
				if (res.ok) return true;
			} catch {
				/* not listening yet */
			}
			if (Date.now() > deadline) {
				throw new Error(
					`Verdaccio did not answer http://127.0.0.1:${port}/-/ping within ${options.readyTimeoutMs ?? 60_000} ms:\n${tail(logFile, 40)}`,
				);
			}
			await sleep(100);
		}
	};

	const npmEnv = (): NodeJS.ProcessEnv => ({
		...cleanEnv(home),
		npm_config_userconfig: npmrc,
		npm_config_registry: url,
		npm_config_cache: npmCache,
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
	});
	const npm = (args: string[], cwd: string, timeoutMs = 120_000) =>
		run('npm', args, cwd, npmEnv(), timeoutMs);

	/** The publish user: Verdaccio's adduser endpoint answers with a token. */
	const createPublisher = async (): Promise<string> => {
		const name = 'mail-cases-publisher';
		const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				_id: `org.couchdb.user:${name}`,
				name,
				password: randomBytes(18).toString('base64url'),
				type: 'user',
				roles: [],
				date: new Date().toISOString(),
			}),
			signal: AbortSignal.timeout(10_000),
		});
		const body = (await res.json()) as { token?: string; error?: string };
		if (!res.ok || !body.token)
			throw new Error(`Verdaccio refused the publish user (${res.status}): ${body.error ?? ''}`);
		return body.token;
	};

	/** Publishes a tarball by Verdaccio's publish endpoint (what `npm publish` sends), fast. */
	const putTarball = async (tarball: string, token: string): Promise<PublishedVersion> => {
		const data = readFileSync(tarball);
		const manifest = readTarballManifest(tarball);
		const name = String(manifest.name);
		const version = String(manifest.version);
		const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
		const integrity = `sha512-${createHash('sha512').update(data).digest('base64')}`;
		const shasum = createHash('sha1').update(data).digest('hex');
		const body = {
			_id: name,
			name,
			'dist-tags': { latest: version },
			versions: {
				[version]: {
					...manifest,
					_id: `${name}@${version}`,
					dist: { integrity, shasum, tarball: `${url}${name}/-/${file}` },
				},
			},
			_attachments: {
				[file]: {
					content_type: 'application/octet-stream',
					data: data.toString('base64'),
					length: data.length,
				},
			},
		};
		const res = await fetch(`${url}${name.replace('/', '%2f')}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`seeding ${name}@${version} failed (${res.status}): ${text}`);
		return { name, version };
	};

	/** Our dependency tree from npm's cache (offline), published by the endpoint. */
	const seed = async (token: string): Promise<string[]> => {
		const tree = productionTree();
		const packDir = path.join(dir, 'seed');
		mkdirSync(packDir);
		// The user's own HOME: its npm cache (~/.npm) is where `npm ci` left the tarballs.
		const env = { ...cleanEnv(process.env.HOME ?? home), npm_config_update_notifier: 'false' };
		// Tarball URLs (what `npm ci` fetched, so npm's cache has them without the packuments),
		// on the registry npm is configured with.
		const upstream = (await run('npm', ['config', 'get', 'registry'], packDir, env, 30_000))
			.trim()
			.replace(/\/?$/, '/');
		const specs = tree.map((id) => {
			const at = id.lastIndexOf('@');
			const name = id.slice(0, at);
			const version = id.slice(at + 1);
			return `${upstream}${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
		});
		const pack = (mode: string) =>
			run(
				'npm',
				['pack', mode, '--ignore-scripts', '--loglevel=error', ...specs],
				packDir,
				env,
				300_000,
			);
		try {
			await pack('--offline');
		} catch {
			// A tarball npm's cache does not hold (a dependency added since the last `npm ci`):
			// the ordinary client fetches what is missing, once, before the tests start.
			try {
				await pack('--prefer-offline');
			} catch (error) {
				throw new Error(
					`npm pack of the ${specs.length} packages of package-lock.json's dependency tree failed (run npm ci, i.e. npm run setup): ${(error as Error).message.slice(-2000)}`,
				);
			}
		}
		const tarballs = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
		const published: string[] = [];
		// Several versions of one package: publish in lockfile order (each PUT adds its version).
		for (const file of tarballs.sort()) {
			const p = await putTarball(path.join(packDir, file), token);
			published.push(`${p.name}@${p.version}`);
		}
		rmSync(packDir, { recursive: true, force: true });
		return published;
	};

	try {
		for (let attempt = 1; ; attempt++) {
			const [port] = await freePorts(1);
			url = `http://127.0.0.1:${port}/`;
			if (await launch(port)) break;
			if (attempt >= 3) throw new Error(`Verdaccio could not listen:\n${tail(logFile, 40)}`);
		}
		const token = await createPublisher();
		const host = url.replace(/^http:/, '');
		writeFileSync(npmrc, `registry=${url}\n`);
		writeFileSync(publishNpmrc, `registry=${url}\n${host}:_authToken=${token}\n`, { mode: 0o600 });
		const seeded = options.seedDependencies === false ? [] : await seed(token);

		const publish = async (tarballPath: string): Promise<PublishedVersion> => {
			const manifest = readTarballManifest(tarballPath);
			await run(
				'npm',
				['publish', path.resolve(tarballPath), '--tag', 'latest', '--loglevel=error'],
				dir,
				{ ...npmEnv(), npm_config_userconfig: publishNpmrc },
				120_000,
			);
			return { name: String(manifest.name), version: String(manifest.version) };
		};

		const publishAs = async (tarballPath: string, version: string): Promise<PublishedVersion> => {
			const work = mkdtempSync(path.join(dir, 'repack-'));
			try {
				await run(
					'tar',
					['-xzf', path.resolve(tarballPath), '-C', work],
					work,
					process.env,
					60_000,
				);
				const [top] = readdirSync(work);
				const pkgFile = path.join(work, top, 'package.json');
				const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
				pkg.version = version;
				writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
				const out = path.join(work, `repacked-${version}.tgz`);
				await run('tar', ['-czf', out, '-C', work, top], work, process.env, 60_000);
				return await publish(out);
			} finally {
				rmSync(work, { recursive: true, force: true });
			}
		};

		return {
			url,
			npmrc,
			npmEnv,
			npm,
			publish,
			publishAs,
			seeded,
			logTail: (lines = 60) => tail(logFile, lines),
			stop,
		};
	} catch (error) {
		const log = tail(logFile, 40);
		await stop();
		throw new Error(`${(error as Error).message}\n--- Verdaccio log ---\n${log}`);
	}
}
