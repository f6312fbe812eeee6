/**
 * The ticket template in real n8n (issue #17.7): `npm run bench -- pipeline [options]`.
 *
 * One n8n 2.41.1 (regular mode, SQLite for n8n, default execution saving) from the e2e harness,
 * the packed package, a private Dovecot/Postfix stack. For each case store — the embedded SQLite
 * file (as shipped) and PostgreSQL (own schema) — templates/ticket-system.json is imported with its
 * shipped options (the acknowledgement loop guard raised: the benchmark's requests come from three
 * customer mailboxes), SMTP to the private Postfix, and two drains are timed:
 *   - `--new` new requests (each: case created, acknowledgement to the customer, notification of
 *     the inbound workplace);
 *   - `--replies` replies "AW: Vorgang <number>" with a Field = Value line to existing cases
 *     (each: activity added, responsible notified).
 * The mails are planted before activation (a waiting backlog); the drain ends when the INBOX is
 * empty and no execution runs. mails/s = mails ÷ (first execution's start → last one's stop).
 * "Where the time goes": per-node `executionTime` from the run data of up to `--sample`
 * executions, as a share of those executions' wall time (the rest is n8n's own work between
 * nodes: creating, starting and persisting the execution).
 *
 * Options: --new=1000 --replies=500 --stores=sqlite,postgres --sample=40 --concurrency=<n>
 * Results: printed, and bench/results/pipeline.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Store } from '../../lib/store';
import {
	address,
	claimUser,
	composeMail,
	startMailStack,
	STACK_ENV,
	writeDescription,
} from '../../test/support/mail-stack';
import { pgTestStore } from '../../test/support/test-stores';
import { loadTemplate, readTemplate } from '../../test/support/templates';
import { requireFromHarness } from '../../test/e2e/support/harness-folder';
import { startN8n, type N8nServer } from '../../test/e2e/support/n8n-server';
import { mailboxData, smtpData } from '../../test/e2e/support/profiles';
import { countMails, plantMails } from '../../test/e2e/support/queue-mail';
import {
	claimPeople,
	closeAllStores,
	embeddedStoreConfig,
	getStore,
	seedStore,
	type People,
} from '../../test/e2e/support/ticket-world';
import {
	allExecutions,
	executionCount,
	options,
	packedPackage,
	round1,
	sleep,
} from '../support/real-n8n';

const DRAIN_MS = 20 * 60_000;

interface Row {
	store: string;
	kind: 'new requests' | 'replies';
	mails: number;
	seconds: number;
	mailsPerSecond: number;
	executions: number;
	/** node name → % of the sampled executions' wall time */
	timeShare: Record<string, number>;
	/** median wall time of one execution, ms */
	executionMs: number;
	/** % of the drain (first start → last stop) with no execution running: trigger work, n8n start-up */
	betweenExecutionsPercent: number;
}

type RunData = Record<string, Array<{ executionTime?: number }>>;

async function nodeTimes(
	n8n: N8nServer,
	ids: string[],
): Promise<{ share: Record<string, number>; executionMs: number }> {
	const flatted = requireFromHarness<{ parse(text: string): unknown }>('2.41.1', 'flatted');
	const perNode = new Map<string, number>();
	let wall = 0;
	const walls: number[] = [];
	for (const id of ids) {
		const e = await n8n.rest.getExecution(id, (t) => flatted.parse(t));
		const w = Date.parse(e.stoppedAt ?? '') - Date.parse(e.startedAt);
		wall += w;
		walls.push(w);
		for (const [node, runs] of Object.entries(e.data.resultData.runData as unknown as RunData))
			for (const r of runs) perNode.set(node, (perNode.get(node) ?? 0) + (r.executionTime ?? 0));
	}
	const share: Record<string, number> = {};
	let nodesTotal = 0;
	for (const [node, ms] of [...perNode].sort((a, b) => b[1] - a[1])) {
		share[node] = round1((ms / wall) * 100);
		nodesTotal += ms;
	}
	share['(n8n between/around nodes)'] = round1(((wall - nodesTotal) / wall) * 100);
	walls.sort((a, b) => a - b);
	return { share, executionMs: walls[Math.floor(walls.length / 2)] ?? NaN };
}

async function drain(
	n8n: N8nServer,
	workflow: { id: string; versionId: string; active: boolean },
	inbox: string,
	mails: number,
	sample: number,
): Promise<Omit<Row, 'store' | 'kind'>> {
	const before = await executionCount(n8n, workflow.id);
	await n8n.rest.activateWorkflow(workflow);
	const deadline = Date.now() + DRAIN_MS;
	for (;;) {
		await sleep(500);
		if (
			(await countMails(inbox)) === 0 &&
			(await executionCount(n8n, workflow.id, ['new', 'running', 'waiting'])) === 0
		)
			break;
		if (Date.now() > deadline)
			throw new Error(
				`the INBOX was not drained within ${DRAIN_MS / 60_000} min:\n${n8n.logTail(20)}`,
			);
	}
	await n8n.rest.deactivateWorkflow(workflow);
	const executions = (await allExecutions(n8n, workflow.id)).slice(
		0,
		(await executionCount(n8n, workflow.id)) - before,
	);
	const failed = executions.filter((e) => e.status !== 'success');
	if (failed.length)
		throw new Error(
			`${failed.length} executions did not succeed (e.g. ${failed[0].id}: ${failed[0].status})`,
		);
	const first = Math.min(...executions.map((e) => e.startedAt));
	const last = Math.max(...executions.map((e) => e.stoppedAt));
	const seconds = (last - first) / 1000;
	// Union of the executions' intervals (they may overlap with several in flight).
	let covered = 0;
	let reach = first;
	for (const e of [...executions].sort((x, y) => x.startedAt - y.startedAt)) {
		if (e.stoppedAt > reach) covered += e.stoppedAt - Math.max(e.startedAt, reach);
		reach = Math.max(reach, e.stoppedAt);
	}
	const betweenExecutionsPercent = round1((1 - covered / (last - first)) * 100);
	// An even sample over the drain (the first executions warm up, the last ones may be small).
	const step = Math.max(1, Math.floor(executions.length / sample));
	const ids = executions
		.filter((_, i) => i % step === 0)
		.slice(0, sample)
		.map((e) => e.id);
	const { share, executionMs } = await nodeTimes(n8n, ids);
	return {
		mails,
		seconds: round1(seconds),
		mailsPerSecond: round1(mails / seconds),
		executions: executions.length,
		timeShare: share,
		executionMs,
		betweenExecutionsPercent,
	};
}

async function scenario(
	n8n: N8nServer,
	storeKind: 'sqlite' | 'postgres',
	counts: { new: number; replies: number },
	concurrency: number | undefined,
	sample: number,
	label: string,
): Promise<Row[]> {
	const people: People = claimPeople();
	const inbox = claimUser();
	const pg = storeKind === 'postgres' ? pgTestStore('mc_bench_pipeline') : undefined;
	try {
		const store: Store = await getStore(pg ? pg.config : embeddedStoreConfig(n8n.userFolder));
		const seeded = await seedStore(store, people, label);
		const { rest } = n8n;
		const mailbox = await rest.createCredential(
			`${label} mailbox`,
			'mailCasesMailbox',
			mailboxData(inbox),
		);
		const smtp = await rest.createCredential(`${label} SMTP`, 'mailCasesSmtp', smtpData(inbox));
		const storeRef = pg
			? await rest.createCredential(`${label} store`, 'mailCasesStore', pg.credential)
			: undefined;
		const workflow = await rest.createWorkflow(
			loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (${label})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				...(storeRef ? { store: storeRef } : {}),
				parameters: {
					...(concurrency
						? { 'Mail Cases Trigger': { options: { maxConcurrentExecutions: concurrency } } }
						: {}),
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
					'Send Acknowledgement': { options: { limitPerRecipient: 1_000_000 } },
				},
			}) as never,
		);
		const rows: Row[] = [];
		// 1. New requests.
		const news: Buffer[] = [];
		for (let i = 0; i < counts.new; i++)
			news.push(
				await composeMail({
					from: address(people.customers[i % people.customers.length]),
					to: address(inbox),
					subject: `Anfrage ${label} Nr. ${i + 1}`,
					text: `Guten Tag,\n\nbitte um Rückruf zu Anliegen ${i + 1}.\n\nGrüße`,
				}),
			);
		await plantMails(inbox, news);
		const a = await drain(n8n, workflow, inbox, counts.new, sample);
		rows.push({ store: storeKind, kind: 'new requests', ...a });
		process.stdout.write(
			`${storeKind}, ${counts.new} new requests: ${a.mailsPerSecond} mails/s (${a.seconds} s, ${a.executions} executions) ${JSON.stringify(a.timeShare)}\n`,
		);
		// 2. Replies to the cases just created.
		const cases = await store.cases.list({
			workflowId: seeded.workflow.id,
			limit: counts.new + 10,
		});
		if (cases.length !== counts.new)
			throw new Error(`${storeKind}: ${cases.length} cases after ${counts.new} new requests`);
		const replies: Buffer[] = [];
		for (let i = 0; i < counts.replies; i++) {
			const c = cases[i % cases.length];
			replies.push(
				await composeMail({
					from: c.requesterAddress!,
					to: address(inbox),
					subject: `AW: Vorgang ${c.number}`,
					text: `Telefon = 0221 ${1000 + i}\n`,
				}),
			);
		}
		await plantMails(inbox, replies);
		const b = await drain(n8n, workflow, inbox, counts.replies, sample);
		rows.push({ store: storeKind, kind: 'replies', ...b });
		process.stdout.write(
			`${storeKind}, ${counts.replies} replies: ${b.mailsPerSecond} mails/s (${b.seconds} s, ${b.executions} executions) ${JSON.stringify(b.timeShare)}\n`,
		);
		return rows;
	} finally {
		await pg?.drop().catch(() => undefined);
	}
}

export async function main(args: string[]): Promise<void> {
	const opt = options(args);
	const counts = { new: opt.num('new', 1000), replies: opt.num('replies', 500) };
	const stores = opt.str('stores', 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
	const sample = opt.num('sample', 40);
	const concurrency = args.some((a) => a.startsWith('--concurrency'))
		? opt.num('concurrency', 1)
		: undefined;
	const stack = await startMailStack();
	process.env[STACK_ENV] = writeDescription(stack.describe());
	let n8n: N8nServer | undefined;
	const rows: Row[] = [];
	try {
		const tarball = await packedPackage();
		n8n = await startN8n({
			version: '2.41.1',
			tarball,
			caFile: stack.describe().caFile,
			env: { N8N_LOG_LEVEL: 'warn' },
		});
		process.stdout.write(
			`n8n 2.41.1 ready; ${counts.new} new requests + ${counts.replies} replies per store on ${os.cpus().length} cores shared with other work\n`,
		);
		let n = 0;
		for (const kind of stores)
			rows.push(
				...(await scenario(
					n8n,
					kind,
					counts,
					concurrency,
					sample,
					`p${++n}-${kind}-${process.pid}`,
				)),
			);
	} finally {
		await closeAllStores();
		await n8n?.stop();
		await stack.stop();
	}
	console.table(
		rows.map((r) => ({
			store: r.store,
			mails: `${r.mails} ${r.kind}`,
			'mails/s': r.mailsPerSecond,
			s: r.seconds,
			executions: r.executions,
			'ms/execution (median)': r.executionMs,
		})),
	);
	for (const r of rows) {
		process.stdout.write(
			`\nwhere the time goes — ${r.store}, ${r.kind} (% of execution wall time, ${sample} sampled executions):\n`,
		);
		console.table(Object.entries(r.timeShare).map(([node, percent]) => ({ node, percent })));
	}
	const dir = path.join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		path.join(dir, 'pipeline.json'),
		JSON.stringify({ counts, rows, at: new Date().toISOString() }, null, 2),
	);
}
