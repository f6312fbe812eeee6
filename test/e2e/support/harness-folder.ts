/**
 * The pinned n8n installations of the e2e tests: one folder per version (test/e2e/n8n-<version>/)
 * with a package.json, a committed package-lock.json and node_modules installed by
 * scripts/e2e-install.sh.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const E2E_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');

/** n8n versions the package is tested in. */
export const N8N_VERSIONS = ['2.41.1', '1.123.81'] as const;
export type N8nVersion = (typeof N8N_VERSIONS)[number];

/** Written by scripts/e2e-install.sh once `npm ci` and `npm rebuild sqlite3` succeeded. */
const INSTALL_STAMP = '.mail-cases-e2e-installed';

export function harnessDir(version: N8nVersion): string {
	return path.join(E2E_DIR, `n8n-${version}`);
}

/** The n8n entry point of an installed harness folder; throws with the command to run otherwise. */
export function n8nEntryPoint(version: N8nVersion): string {
	const dir = harnessDir(version);
	const modules = path.join(dir, 'node_modules');
	const install = `run scripts/e2e-install.sh n8n-${version} (about 3-4 minutes once)`;
	if (!existsSync(path.join(modules, INSTALL_STAMP))) {
		throw new Error(`n8n ${version} is not installed in ${modules}: ${install}`);
	}
	const pkgFile = path.join(modules, 'n8n', 'package.json');
	const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version;
	if (installed !== version) {
		throw new Error(`${modules} holds n8n ${installed}, not ${version}: ${install}`);
	}
	return path.join(modules, 'n8n', 'bin', 'n8n');
}

/** `require` of a module from the harness's n8n installation (e.g. `flatted`, as n8n uses it). */
export function requireFromHarness<T>(version: N8nVersion, id: string): T {
	return createRequire(path.join(harnessDir(version), 'node_modules', 'n8n', 'package.json'))(
		id,
	) as T;
}
