/**
 * Queue-mode benchmark (issue #15.5): `npm run bench -- queue`.
 *
 * Starts a private Dovecot/Postfix stack, builds and packs the package (or takes
 * MAIL_CASES_E2E_TARBALL), and runs n8n 2.41.1 in queue mode as the e2e suite does
 * (test/e2e/support/queue-mode.ts: main + 2 `n8n worker --concurrency=5`, Redis, a fresh
 * PostgreSQL database; needs scripts/e2e-install.sh). For each scenario — 1 or 2 workers
 * running, the trigger's Max Concurrent Executions — the ticket template is imported with a
 * PostgreSQL store (own schema) and its shipped options otherwise (10 mails per execution),
 * BENCH_QUEUE_MAILS mails (default 300: 80 % new requests, 20 % replies "Vorgang <number>" to
 * cases created beforehand) are planted into a fresh INBOX, the workflow is activated, and the
 * time until the INBOX is empty and no run is in flight gives mails/s. CPU per process group
 * (n8n process + its task runners) comes from /proc/<pid>/stat (utime+stime+cutime+cstime) over
 * the same interval, in % of one core; "rest of machine" is the remaining busy time of all cores
 * (/proc/stat): PostgreSQL, Redis, Dovecot, Postfix — and anything else running meanwhile.
 *
 *   BENCH_QUEUE_MAILS=300  BENCH_QUEUE_CONCURRENCY=1,4  BENCH_QUEUE_WORKERS=1,2
 *
 * Results: printed as a table and written to bench/results/queue.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { getStore, closeAllStores } from '../../lib/store';
import { pgTestStore } from '../../test/support/test-stores';
import { loadTemplate, readTemplate } from '../../test/support/templates';
import {
	address,
	claimUser,
	composeMail,
	startMailStack,
	STACK_ENV,
	writeDescription,
} from '../../test/support/mail-stack';
import { buildAndPack, TARBALL_ENV } from '../../test/e2e/support/package-tarball';
import { mailboxData, smtpData } from '../../test/e2e/support/profiles';
import { countMails, plantMails } from '../../test/e2e/support/queue-mail';
import { groupPids, startQueueCluster, type QueueCluster } from '../../test/e2e/support/queue-mode';
import { claimPeople, seedStore } from '../../test/e2e/support/ticket-world';

const MAILS = Number(process.env.BENCH_QUEUE_MAILS ?? 300);
const list = (value: string | undefined, fallback: number[]) =>
	value
		? value
				.split(',')
				.map((v) => Number(v.trim()))
				.filter((n) => n > 0)
		: fallback;
const CONCURRENCY = list(process.env.BENCH_QUEUE_CONCURRENCY, [1, 4]);
const WORKERS = list(process.env.BENCH_QUEUE_WORKERS, [1, 2]);
const CLK_TCK = 100; // Linux USER_HZ
const DRAIN_MS = 20 * 60_000;

type Row = {
	workers: number;
	concurrency: number;
	mails: number;
	seconds: number;
	mailsPerSecond: number;
	executions: Record<string, number>;
	cpuPercent: Record<string, number>;
	machineBusyPercent: number;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU ticks of a process group: every live member's own and reaped children's time. */
function groupTicks(pgid: number | undefined): number {
	if (!pgid) return 0;
	let ticks = 0;
	for (const pid of groupPids(pgid)) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
		} catch {
			/* gone */
		}
	}
	return ticks;
}

/** Busy and total ticks of all cores (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
	const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
	const total = cpu.reduce((a, b) => a + (b || 0), 0);
	const idle = (cpu[3] || 0) + (cpu[4] || 0);
	return { busy: total - idle, total };
}

async function executionCount(cluster: QueueCluster, workflowId: string, status?: string[]) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status } : {}) }));
	const page = await cluster.main.rest.request<{ count: number }>(
		'GET',
		`/rest/executions?filter=${filter}&limit=1`,
	);
	return page.count;
}

async function scenario(
	cluster: QueueCluster,
	workers: number,
	concurrency: number,
	label: string,
): Promise<Row> {
	const { rest } = cluster.main;
	const people = claimPeople();
	const inbox = claimUser();
	const pg = pgTestStore('mc_bench_queue');
	try {
		const store = await getStore(pg.config);
		const seeded = await seedStore(store, people, label);
		const replies = Math.round(MAILS / 5);
		const existing = [];
		for (let i = 0; i < replies; i++)
			existing.push(
				await store.cases.create({
					workflowId: seeded.workflow.id,
					responsibleOrgUnitId: seeded.unit.id,
					title: `Bestehender Vorgang ${i + 1}`,
					requesterAddress: address(people.customers[i % 3]),
				}),
			);
		const raws: Buffer[] = [];
		for (let i = 0; i < MAILS; i++) {
			const from = address(people.customers[i % 3]);
			const reply = i % 5 === 4 ? existing[Math.floor(i / 5)] : undefined;
			raws.push(
				await composeMail(
					reply
						? {
								from: reply.requesterAddress!,
								to: address(inbox),
								subject: `AW: Vorgang ${reply.number} ${label}`,
								text: `Telefon = 0221 ${i}\n`,
							}
						: {
								from,
								to: address(inbox),
								subject: `Anfrage ${label} Nr. ${i + 1}`,
								text: `Anliegen ${i + 1}`,
							},
				),
			);
		}
		await plantMails(inbox, raws);
		const mailbox = await rest.createCredential(
			`${label} mailbox`,
			'mailCasesMailbox',
			mailboxData(inbox),
		);
		const smtp = await rest.createCredential(`${label} SMTP`, 'mailCasesSmtp', smtpData(inbox));
		const storeRef = await rest.createCredential(`${label} store`, 'mailCasesStore', pg.credential);
		const workflow = await rest.createWorkflow(
			loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (${label})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				store: storeRef,
				parameters: {
					'Mail Cases Trigger': {
						options: {
							maxConcurrentExecutions: concurrency,
							pollIntervalSeconds: 5,
							retryDelaySeconds: 2,
						},
					},
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
					// The loop guard (10 acknowledgements per recipient and hour) would skip most of them:
					// the benchmark's requests come from three customer mailboxes.
					'Send Acknowledgement': { options: { limitPerRecipient: 100000 } },
				},
			}) as never,
		);
		const processes: Array<[string, () => number | undefined]> = [
			['main', () => cluster.main.pid],
			...cluster.workers.map((w) => [w.name, () => w.pid] as [string, () => number | undefined]),
		];
		const startedBefore = cluster.workers.map((w) => w.startedExecutions().length);
		const ticks0 = processes.map(([, pid]) => groupTicks(pid()));
		const m0 = machineTicks();
		const t0 = Date.now();
		await rest.activateWorkflow(workflow);
		const deadline = t0 + DRAIN_MS;
		for (;;) {
			if (
				(await countMails(inbox)) === 0 &&
				(await executionCount(cluster, workflow.id, ['new', 'running', 'waiting'])) === 0
			)
				break;
			if (Date.now() > deadline)
				throw new Error(`${label}: the INBOX was not drained within ${DRAIN_MS / 60_000} min`);
			await sleep(500);
		}
		const seconds = (Date.now() - t0) / 1000;
		const ticks1 = processes.map(([, pid]) => groupTicks(pid()));
		const m1 = machineTicks();
		await rest.deactivateWorkflow(workflow);
		const cpuPercent: Record<string, number> = {};
		let ours = 0;
		processes.forEach(([name], i) => {
			const used = Math.max(0, ticks1[i] - ticks0[i]);
			ours += used;
			cpuPercent[name] = Math.round((used / CLK_TCK / seconds) * 100);
		});
		const busy = m1.busy - m0.busy;
		// /proc/stat counts ticks of all cores; percent of one core like the per-process numbers.
		cpuPercent['rest of machine'] = Math.round(
			(Math.max(0, busy - ours) / CLK_TCK / seconds) * 100,
		);
		const cases = await store.cases.list({ workflowId: seeded.workflow.id, limit: 1000 });
		const expected = MAILS; // the new requests' cases and the replied-to cases
		if (cases.length !== expected)
			throw new Error(
				`${label}: ${cases.length} cases, expected ${expected} (${MAILS - replies} new + ${replies} existing)`,
			);
		const failed = await executionCount(cluster, workflow.id, ['error', 'crashed']);
		if (failed > 0) throw new Error(`${label}: ${failed} executions failed`);
		const executions: Record<string, number> = {};
		cluster.workers.forEach(
			(w, i) => (executions[w.name] = w.startedExecutions().length - startedBefore[i]),
		);
		return {
			workers,
			concurrency,
			mails: MAILS,
			seconds: Math.round(seconds * 10) / 10,
			mailsPerSecond: Math.round((MAILS / seconds) * 10) / 10,
			executions,
			cpuPercent,
			machineBusyPercent: Math.round((busy / (m1.total - m0.total)) * 100 * 10) / 10 || 0,
		};
	} finally {
		await pg.drop().catch(() => undefined);
	}
}

const cores = () => os.cpus().length;

export async function main(): Promise<void> {
	const stack = await startMailStack();
	process.env[STACK_ENV] = writeDescription(stack.describe());
	let cluster: QueueCluster | undefined;
	const rows: Row[] = [];
	try {
		let tarball = process.env[TARBALL_ENV];
		if (!tarball) {
			process.stdout.write('building and packing the package ...\n');
			tarball = (await buildAndPack()).tarball;
		}
		process.stdout.write(`starting n8n 2.41.1 in queue mode (main + 2 workers) ...\n`);
		const t0 = Date.now();
		cluster = await startQueueCluster({
			version: '2.41.1',
			tarball,
			caFile: stack.describe().caFile,
			workers: 2,
			workerConcurrency: 5,
		});
		process.stdout.write(
			`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${MAILS} mails per scenario on ${cores()} cores\n`,
		);
		let n = 0;
		for (const workers of WORKERS) {
			// Scenarios with one worker run with worker-2 stopped.
			for (const [i, w] of cluster.workers.entries()) {
				if (i < workers && !w.pid) await w.start();
				if (i >= workers && w.pid) await w.kill();
			}
			for (const concurrency of CONCURRENCY) {
				const label = `q${++n}-${workers}w-c${concurrency}-${process.pid}`;
				const row = await scenario(cluster, workers, concurrency, label);
				rows.push(row);
				process.stdout.write(
					`${workers} worker(s), concurrency ${concurrency}: ${row.mailsPerSecond} mails/s (${row.seconds} s), executions ${JSON.stringify(row.executions)}, CPU % of one core ${JSON.stringify(row.cpuPercent)}\n`,
				);
			}
		}
	} finally {
		await cluster?.stop();
		await closeAllStores();
		await stack.stop();
	}
	const table = rows.map((r) => ({
		workers: r.workers,
		'max concurrent': r.concurrency,
		mails: r.mails,
		s: r.seconds,
		'mails/s': r.mailsPerSecond,
		...Object.fromEntries(Object.entries(r.cpuPercent).map(([k, v]) => [`CPU% ${k}`, v])),
		'machine busy %': r.machineBusyPercent,
	}));
	console.table(table);
	const dir = path.join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		path.join(dir, 'queue.json'),
		JSON.stringify({ mails: MAILS, cores: cores(), rows, at: new Date().toISOString() }, null, 2),
	);
}
