/**
 * Global setup of the Jest project "e2e" (runs only when e2e tests are part of the run): builds
 * and packs the package once for all n8n versions. The root global setup starts the mail stack.
 *
 * MAIL_CASES_E2E_TARBALL=<file.tgz> tests that tarball instead of a fresh build (e.g. a release
 * candidate or `npm pack n8n-nodes-mail-cases@<version>`); the run says so on stderr.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { buildAndPack, TARBALL_ENV } from './package-tarball';

export default async function e2eGlobalSetup(): Promise<void> {
	const g = globalThis as { __mailCasesE2ePackDir?: string };
	if (g.__mailCasesE2ePackDir) return;
	const given = process.env[TARBALL_ENV];
	if (given) {
		if (!existsSync(given)) throw new Error(`${TARBALL_ENV}=${given}: no such file`);
		process.env[TARBALL_ENV] = path.resolve(given);
		process.stderr.write(
			`\ne2e: testing the given tarball ${process.env[TARBALL_ENV]} (${TARBALL_ENV}), not a fresh build\n`,
		);
		return;
	}
	const packed = await buildAndPack();
	g.__mailCasesE2ePackDir = packed.dir;
	process.env[TARBALL_ENV] = packed.tarball;
	process.stderr.write(
		`\ne2e: built in ${(packed.buildMs / 1000).toFixed(1)} s, packed ${packed.tarball} in ${(packed.packMs / 1000).toFixed(1)} s\n`,
	);
}
