/**
 * The package as users get it: `npm run build`, then `npm pack`. Done once per Jest run by the
 * e2e project's global setup; the tarball's path goes to the test workers in MAIL_CASES_E2E_TARBALL.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { isRunning } from '../../support/mail-stack/process';
import { REPO_ROOT } from './harness-folder';

const execFileAsync = promisify(execFile);

export const TARBALL_ENV = 'MAIL_CASES_E2E_TARBALL';

async function npm(args: string[], timeoutMs: number): Promise<string> {
	const env = { ...process.env };
	delete env.NODE_OPTIONS; // Jest's flags are not meant for the build
	try {
		const { stdout } = await execFileAsync('npm', args, {
			cwd: REPO_ROOT,
			env,
			timeout: timeoutMs,
			killSignal: 'SIGKILL',
			maxBuffer: 64 * 1024 * 1024,
		});
		return stdout;
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(
			`npm ${args.join(' ')} failed in ${REPO_ROOT}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
		);
	}
}

const PACK_DIR_PREFIX = 'mail-cases-e2e-pack-';

/** Removes pack directories left by runs that were killed (their pid is part of the name). */
function removeStalePackDirs(): void {
	for (const name of readdirSync(os.tmpdir())) {
		const pid = Number(new RegExp(`^${PACK_DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
		if (pid && pid !== process.pid && !isRunning(pid))
			rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
	}
}

/** Builds the package and packs it into a new temp directory; returns the tarball's path. */
export async function buildAndPack(): Promise<{
	tarball: string;
	dir: string;
	buildMs: number;
	packMs: number;
}> {
	removeStalePackDirs();
	const t0 = Date.now();
	await npm(['run', 'build', '--silent'], 300_000);
	const t1 = Date.now();
	const dir = mkdtempSync(path.join(os.tmpdir(), `${PACK_DIR_PREFIX}${process.pid}-`));
	const out = await npm(['pack', '--json', '--pack-destination', dir, '--loglevel=error'], 120_000);
	const [packed] = JSON.parse(out) as Array<{ filename: string }>;
	const tarball = path.join(dir, path.basename(packed.filename));
	if (!existsSync(tarball))
		throw new Error(`npm pack reported ${packed.filename}, but ${tarball} does not exist`);
	return { tarball, dir, buildMs: t1 - t0, packMs: Date.now() - t1 };
}

/** The tarball the global setup packed. */
export function packedTarball(): string {
	const tarball = process.env[TARBALL_ENV];
	if (!tarball || !existsSync(tarball)) {
		throw new Error(
			`${TARBALL_ENV} does not name a packed package (${tarball ?? 'unset'}): test/e2e/support/global-setup.ts packs it; run the e2e tests through "npm run test:e2e"`,
		);
	}
	return tarball;
}
