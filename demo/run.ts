/**
 * `npm run demo` (scripts/demo.sh starts this through demo/start.js): the package inside a real
 * n8n with local Dovecot + Postfix and the embedded SQLite case store; seeds the store, imports
 * and activates the ticket template, sends three sample mails and reports what happened. Runs
 * until Ctrl-C / SIGTERM, or exits after the report with MAIL_CASES_DEMO_EXIT=1 or --once
 * (exit code 1 when something the demo expects did not happen).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';

import { closeAllStores } from '../lib/store';
import { isRunning } from '../test/support/mail-stack/process';
import { STACK_ENV, startMailStack, writeDescription } from '../test/support/mail-stack';
import { startN8n } from '../test/e2e/support/n8n-server';
import { buildAndPack } from '../test/e2e/support/package-tarball';
import { DEMO_USER_NAMES } from './demo-data';
import { importTicketSystem } from './n8n-setup';
import { detail, step } from './progress';
import { printAccess, printReport } from './report';
import { runScenario } from './scenario';
import { seedStore } from './seed-store';

const N8N_VERSION = '2.41.1';
const PREFERRED_PORT = 5678;
const once = process.env.MAIL_CASES_DEMO_EXIT === '1' || process.argv.includes('--once');

/** What to undo on the way out, newest first. */
const cleanups: Array<() => Promise<void> | void> = [];
let stopping = false;

async function shutdown(code: number, why: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	step(`${why}: stopping n8n and the mail servers, removing temp folders`);
	for (let undo = cleanups.pop(); undo; undo = cleanups.pop()) {
		try {
			await undo();
		} catch (error) {
			detail(`(cleanup: ${(error as Error).message})`);
		}
	}
	step('stopped');
	process.exit(code);
}

// A closed terminal (SIGHUP) or pipe must not crash the process half-way through the cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
	process.on(signal, () => void shutdown(0, signal));

async function main(): Promise<void> {
	step('building and packing the package (npm run build, npm pack)');
	const packed = await buildAndPack();
	cleanups.push(() => rmSync(packed.dir, { recursive: true, force: true }));
	detail(`${path.basename(packed.tarball)} (build ${(packed.buildMs / 1000).toFixed(0)} s)`);

	step('starting Dovecot (IMAP, LMTP) and Postfix (SMTP) on 127.0.0.1');
	const stack = await startMailStack({ extraUsers: DEMO_USER_NAMES });
	cleanups.push(() => stack.stop());
	process.env[STACK_ENV] = writeDescription(stack.describe());
	detail(
		`IMAP ${stack.ports.imap}, IMAPS ${stack.ports.imaps}, SMTP ${stack.ports.smtp}, submission ${stack.ports.submission}`,
	);

	step(`starting n8n ${N8N_VERSION} with the package installed (1-2 minutes)`);
	const n8n = await startN8n({
		version: N8N_VERSION,
		tarball: packed.tarball,
		caFile: stack.caFile,
		port: PREFERRED_PORT,
	});
	cleanups.push(() => n8n.stop());
	rmSync(packed.dir, { recursive: true, force: true }); // installed; not needed any more
	const t = n8n.timings;
	detail(
		`${n8n.baseUrl}: package installed in ${(t.packageInstallMs / 1000).toFixed(1)} s, ready in ${(t.startMs / 1000).toFixed(1)} s`,
	);

	step('seeding the embedded case store (workflow, org units, contacts)');
	const seeded = await seedStore(n8n.userFolder);
	cleanups.push(() => closeAllStores());
	for (const line of seeded.summary) detail(line);

	step('creating the mailbox and SMTP profiles, importing and activating the ticket template');
	const workflow = await importTicketSystem(n8n.rest);
	detail(`workflow "${workflow.name}" (id ${workflow.id}) is active`);

	const result = await runScenario(seeded.store);
	const ok = await printReport({ store: seeded.store, rest: n8n.rest, workflow, ...result });
	await closeAllStores();
	printAccess(n8n.baseUrl, workflow, seeded.path, path.join(n8n.userFolder, 'n8n.log'));

	if (once) return void (await shutdown(ok ? 0 : 1, 'done (MAIL_CASES_DEMO_EXIT=1 / --once)'));
	process.stdout.write(
		'\nThe demo keeps running: send more mail, look around in n8n. Ctrl-C stops everything.\n',
	);
	setInterval(() => {
		if (stopping || isRunning(n8n.pid)) return;
		process.stderr.write(`n8n exited unexpectedly; its last lines:\n${n8n.logTail(20)}\n`);
		void shutdown(1, 'n8n exited');
	}, 2_000);
}

main().catch((error) => {
	if (stopping) return;
	process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
	void shutdown(1, 'failed');
});
