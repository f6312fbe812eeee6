import { rmSync } from 'node:fs';

import { TARBALL_ENV } from './package-tarball';

/** Removes the tarball directory of the e2e global setup. */
export default async function e2eGlobalTeardown(): Promise<void> {
	const g = globalThis as { __mailCasesE2ePackDir?: string };
	if (!g.__mailCasesE2ePackDir) return;
	rmSync(g.__mailCasesE2ePackDir, { recursive: true, force: true });
	delete g.__mailCasesE2ePackDir;
	delete process.env[TARBALL_ENV];
}
