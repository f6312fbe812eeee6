/**
 * Side-by-side benchmark in real n8n (issue #17.7): `npm run bench -- n8n [options]`.
 *
 * Uses what the e2e suite installed (test/e2e/n8n-2.41.1, scripts/e2e-install.sh) and the packed
 * package (MAIL_CASES_E2E_TARBALL, or build + pack); installs nothing. Starts a private
 * Dovecot/Postfix stack and ONE n8n 2.41.1 (regular mode, SQLite, default execution saving),
 * plants `--mails` corpus mails (bench/trigger/corpus-mails.ts) once into a "Corpus" folder of one
 * mailbox, and then, for `--rounds` rounds, runs each variant in turn (interleaved, so a busy
 * machine slows all of them alike):
 *   - raw limit: imapflow fetch + mailparser + delete, no n8n (bench/trigger/scenario.ts raw);
 *   - n8n's Email Trigger (IMAP) v2.2 with its defaults (UNSEEN, mark as read, simple format);
 *   - the Mail Cases Trigger with its defaults, with 20 mails per execution (the built-in's
 *     batch), and with 20 per execution and 4 in flight;
 * each → No Op. A variant's workflow is activated on an empty INBOX, 3 s later the corpus is
 * copied into the INBOX (server-side, all at once: a backlog arriving), and the drain is over
 * when the INBOX holds no unread (built-in) / no (ours) mail and no execution is running.
 *   mails/s while mail waits = mails ÷ (first execution's start → last execution's stop)
 *   first run after mail     = copy → first execution's start
 *   peak RSS                 = n8n's process tree (main + task runners), sampled every 200 ms
 *
 * Options: --mails=2000 --rounds=3 --variants=raw,builtin,mc,mc20,mc20x4 --profile
 *   --profile: the n8n main runs with --cpu-prof; its samples during each variant's drains are
 *   summarised (bench/support/cpuprofile.ts) and written to bench/results/n8n-profile.json.
 * Results: printed, and bench/results/n8n.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	claimUser,
	imapClient,
	startMailStack,
	stackUser,
	STACK_ENV,
	writeDescription,
} from '../../test/support/mail-stack';
import { mailboxData } from '../../test/e2e/support/profiles';
import { plantMails } from '../../test/e2e/support/queue-mail';
import { startN8n, type N8nServer } from '../../test/e2e/support/n8n-server';
import type {
	CreatedWorkflow,
	WorkflowDefinition,
	WorkflowNode,
} from '../../test/e2e/support/n8n-rest';
import { corpusMails } from '../trigger/corpus-mails';
import { printSummary, readProfile, summarise, busyPercent } from '../support/cpuprofile';
import {
	allExecutions,
	executionCount,
	median,
	monotonicUs,
	options,
	packedPackage,
	round1,
	rssSampler,
	sleep,
	treeRssMb,
} from '../support/real-n8n';

const PACKAGE = 'n8n-nodes-mail-cases';
const DRAIN_MS = 15 * 60_000;
const STALL_MS = 20_000;

type VariantName = 'raw' | 'builtin' | 'mc' | 'mc20' | 'mc20x4';
const LABELS: Record<VariantName, string> = {
	raw: 'raw limit: imapflow fetch + mailparser + delete, no n8n',
	builtin: "n8n's Email Trigger (IMAP) v2.2, defaults",
	mc: 'Mail Cases Trigger, defaults',
	mc20: 'Mail Cases Trigger, 20 mails/execution',
	mc20x4: 'Mail Cases Trigger, 20 mails/execution, 4 in flight',
};

interface Run {
	variant: VariantName;
	round: number;
	mails: number;
	/** mails still unread when the trigger stopped (n8n's built-in trigger only) */
	left?: number;
	seconds: number;
	mailsPerSecond: number;
	firstRunMs?: number;
	executions?: number;
	peakRssMb?: number;
	rssBeforeMb?: number;
	window?: [number, number];
}

function workflowFor(
	variant: VariantName,
	credentialId: string,
	credentialName: string,
): WorkflowDefinition {
	const trigger: WorkflowNode =
		variant === 'builtin'
			? {
					name: 'Email Trigger',
					type: 'n8n-nodes-base.emailReadImap',
					typeVersion: 2.2,
					position: [0, 0] as [number, number],
					parameters: {},
					credentials: { imap: { id: credentialId, name: credentialName } },
				}
			: {
					name: 'Mail Cases Trigger',
					type: `${PACKAGE}.mailCasesTrigger`,
					typeVersion: 1,
					position: [0, 0] as [number, number],
					parameters: {
						// The corpus holds mailing-list mails, auto-replies and bounces: emit them all, as
						// the built-in trigger does, so both run the same mails through the workflow.
						autoReplyAction: 'emit',
						bounceAction: 'emit',
						listAction: 'emit',
						loopAction: 'emit',
						ignoreSubjectKeywords: '',
						options:
							variant === 'mc'
								? {}
								: {
										mailsPerExecution: 20,
										...(variant === 'mc20x4' ? { maxConcurrentExecutions: 4 } : {}),
									},
					},
					credentials: { mailCasesMailbox: { id: credentialId, name: credentialName } },
				};
	return {
		name: `bench ${variant}`,
		nodes: [
			trigger,
			{
				name: 'No Op',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [300, 0],
				parameters: {},
			},
		],
		connections: { [trigger.name]: { main: [[{ node: 'No Op', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** INBOX messages, or unread ones (the built-in trigger marks mail read and keeps it). */
async function inboxCount(user: string, unseen: boolean): Promise<number> {
	const client = await imapClient(user);
	try {
		const s = await client.status('INBOX', { messages: true, unseen: true });
		if (!s) throw new Error(`no STATUS for ${user}'s INBOX`);
		return (unseen ? s.unseen : s.messages) ?? 0;
	} finally {
		await client.logout().catch(() => client.close());
	}
}

/** Plants the corpus once into INBOX and moves it to "Corpus", the source of every run. */
async function fillCorpus(user: string, mails: Buffer[]): Promise<void> {
	await plantMails(user, mails);
	const client = await imapClient(user);
	try {
		await client.mailboxCreate('Corpus').catch(() => undefined);
		await client.mailboxOpen('INBOX');
		await client.messageMove('1:*', 'Corpus');
	} finally {
		await client.logout().catch(() => client.close());
	}
}

/** Copies the corpus into INBOX in one server-side command: the backlog arrives at once. */
async function copyCorpus(user: string): Promise<number> {
	const client = await imapClient(user);
	try {
		await client.mailboxOpen('Corpus');
		await client.messageCopy('1:*', 'INBOX');
		return Date.now();
	} finally {
		await client.logout().catch(() => client.close());
	}
}

async function emptyInbox(user: string): Promise<void> {
	const client = await imapClient(user);
	try {
		const box = await client.mailboxOpen('INBOX');
		if (box.exists > 0) await client.messageDelete('1:*');
	} finally {
		await client.logout().catch(() => client.close());
	}
}

function rawDrain(
	user: string,
	mails: number,
	env: NodeJS.ProcessEnv,
): { seconds: number; peakRssMb: number } {
	const runner = path.join(__dirname, '..', 'run.js');
	const child = spawnSync(
		process.execPath,
		[
			runner,
			'--child',
			path.join(__dirname, '..', 'trigger', 'scenario.ts'),
			'raw',
			user,
			String(mails),
		],
		{ env, encoding: 'utf8', timeout: 10 * 60_000 },
	);
	const line = child.stdout.trim().split('\n').pop() ?? '';
	if (child.status !== 0 || !line.startsWith('{'))
		throw new Error(`raw drain failed:\n${child.stdout}\n${child.stderr}`);
	return JSON.parse(line);
}

async function drainWithN8n(
	n8n: N8nServer,
	user: string,
	variant: VariantName,
	workflow: CreatedWorkflow,
	mails: number,
): Promise<Omit<Run, 'round'>> {
	const before = await executionCount(n8n, workflow.id);
	await n8n.rest.activateWorkflow(workflow);
	await sleep(3_000); // the trigger connects and waits for mail
	const rssBeforeMb = treeRssMb(n8n.pid);
	const rss = rssSampler(n8n.pid);
	const windowStart = monotonicUs();
	const copiedAt = await copyCorpus(user);
	const deadline = Date.now() + DRAIN_MS;
	let quiet = 0;
	let left = mails;
	let lastCount = before;
	let lastProgress = Date.now();
	for (;;) {
		await sleep(250);
		left = await inboxCount(user, variant === 'builtin');
		const count = await executionCount(n8n, workflow.id);
		if (count !== lastCount) [lastCount, lastProgress] = [count, Date.now()];
		const running =
			left === 0 ? await executionCount(n8n, workflow.id, ['new', 'running', 'waiting']) : 1;
		// Two quiet checks in a row: a batch read (and marked) may not have its execution yet.
		quiet = left === 0 && running === 0 ? quiet + 1 : 0;
		if (quiet >= 2) break;
		// n8n's trigger can stop with unread mail left (it reads on new-mail events); after STALL_MS
		// without a new execution the drain is over and the mail left is reported.
		if (variant === 'builtin' && count > before && Date.now() - lastProgress > STALL_MS) break;
		if (Date.now() > deadline)
			throw new Error(
				`${variant}: ${left} mails still in the INBOX after ${DRAIN_MS / 60_000} min:\n${n8n.logTail(20)}`,
			);
	}
	const windowEnd = monotonicUs();
	const peakRssMb = rss.stop();
	await n8n.rest.deactivateWorkflow(workflow);
	const executions = (await allExecutions(n8n, workflow.id)).slice(
		0,
		(await executionCount(n8n, workflow.id)) - before,
	);
	const failed = executions.filter((e) => e.status !== 'success');
	if (failed.length)
		throw new Error(
			`${variant}: ${failed.length} executions did not succeed (e.g. ${failed[0].id}: ${failed[0].status})`,
		);
	if (executions.length === 0)
		throw new Error(`${variant}: the INBOX was drained but no execution ran`);
	const first = Math.min(...executions.map((e) => e.startedAt));
	const last = Math.max(...executions.map((e) => e.stoppedAt));
	const seconds = (last - first) / 1000;
	await emptyInbox(user);
	return {
		variant,
		mails: mails - left,
		left,
		seconds: round1(seconds),
		mailsPerSecond: round1((mails - left) / seconds),
		firstRunMs: first - copiedAt,
		executions: executions.length,
		peakRssMb,
		rssBeforeMb,
		window: [windowStart, windowEnd],
	};
}

export async function main(args: string[]): Promise<void> {
	const opt = options(args);
	const MAILS = opt.num('mails', 2000);
	const ROUNDS = opt.num('rounds', 3);
	const PROFILE = opt.flag('profile');
	const variants = opt.str('variants', 'raw,builtin,mc,mc20,mc20x4').split(',') as VariantName[];
	for (const v of variants)
		if (!(v in LABELS)) throw new Error(`unknown variant ${v} (${Object.keys(LABELS).join(', ')})`);

	const stack = await startMailStack();
	const stackFile = writeDescription(stack.describe());
	process.env[STACK_ENV] = stackFile;
	const profileDir = PROFILE
		? mkdtempSync(path.join(os.tmpdir(), 'mail-cases-bench-prof-'))
		: undefined;
	let n8n: N8nServer | undefined;
	const runs: Run[] = [];
	try {
		const tarball = await packedPackage();
		const user = claimUser();
		process.stdout.write(`planting ${MAILS} corpus mails into ${user}'s "Corpus" folder ...\n`);
		const t0 = Date.now();
		await fillCorpus(user, corpusMails(MAILS));
		process.stdout.write(
			`planted in ${((Date.now() - t0) / 1000).toFixed(1)} s; starting n8n 2.41.1 ...\n`,
		);
		n8n = await startN8n({
			version: '2.41.1',
			tarball,
			caFile: stack.describe().caFile,
			env: {
				N8N_LOG_LEVEL: 'warn',
				...(profileDir
					? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=2000` }
					: {}),
			},
		});
		const u = stackUser(user);
		const ours = await n8n.rest.createCredential(
			'bench mailbox',
			'mailCasesMailbox',
			mailboxData(user),
		);
		const imap = await n8n.rest.createCredential('bench IMAP', 'imap', {
			user: u.address,
			password: u.password,
			host: stack.describe().host,
			port: stack.describe().ports.imaps,
			secure: true,
			allowUnauthorizedCerts: false,
		});
		const workflows = new Map<VariantName, CreatedWorkflow>();
		for (const v of variants) {
			if (v === 'raw') continue;
			const cred = v === 'builtin' ? imap : ours;
			workflows.set(v, await n8n.rest.createWorkflow(workflowFor(v, cred.id, cred.name)));
		}
		process.stdout.write(
			`n8n ready (RSS of the tree ${treeRssMb(n8n.pid)} MB); ${ROUNDS} round(s) of ${variants.join(', ')}, ${MAILS} mails each, ${os.cpus().length} cores shared with whatever else runs\n`,
		);
		for (let round = 1; round <= ROUNDS; round++) {
			for (const v of variants) {
				let run: Run;
				if (v === 'raw') {
					await copyCorpus(user);
					const r = rawDrain(user, MAILS, process.env);
					run = {
						variant: v,
						round,
						mails: MAILS,
						seconds: round1(r.seconds),
						mailsPerSecond: round1(MAILS / r.seconds),
						peakRssMb: r.peakRssMb,
					};
				} else {
					run = { round, ...(await drainWithN8n(n8n, user, v, workflows.get(v)!, MAILS)) };
				}
				runs.push(run);
				process.stdout.write(
					`round ${round} ${v}: ${run.mailsPerSecond} mails/s (${run.mails} mails in ${run.seconds} s${run.executions ? `, ${run.executions} executions` : ''}${run.left ? `, ${run.left} left unread when it stopped` : ''})${run.firstRunMs !== undefined ? `, first run ${run.firstRunMs} ms after the mail` : ''}, peak RSS ${run.peakRssMb} MB${run.rssBeforeMb ? ` (before ${run.rssBeforeMb})` : ''}\n`,
				);
			}
		}
	} catch (error) {
		if (n8n) process.stderr.write(`n8n's log (last lines):\n${n8n.logTail(40)}\n`);
		throw error;
	} finally {
		await n8n?.stop(60_000);
		await stack.stop();
	}

	const stat = (v: VariantName, f: (r: Run) => number | undefined) => {
		const vals = runs
			.filter((r) => r.variant === v)
			.map(f)
			.filter((x): x is number => x !== undefined);
		return { med: median(vals), min: Math.min(...vals), max: Math.max(...vals) };
	};
	const base = stat('builtin', (r) => r.mailsPerSecond).med;
	const raw = stat('raw', (r) => r.mailsPerSecond).med;
	const table = variants.map((v) => {
		const rate = stat(v, (r) => r.mailsPerSecond);
		const first = stat(v, (r) => r.firstRunMs);
		return {
			variant: LABELS[v],
			'mails/s (median, min–max)': `${rate.med} (${rate.min}–${rate.max})`,
			'÷ built-in': base ? Math.round((rate.med / base) * 100) / 100 : '',
			'÷ raw': raw ? Math.round((rate.med / raw) * 100) / 100 : '',
			'first run after mail (ms, median)': Number.isFinite(first.med) ? first.med : '',
			'peak RSS MB (tree, max)': stat(v, (r) => r.peakRssMb).max,
			'mails/execution':
				v === 'raw' ? '' : round1(stat(v, (r) => r.mails).med / stat(v, (r) => r.executions).med),
			'left unread (max)': stat(v, (r) => r.left ?? 0).max,
		};
	});
	process.stdout.write(
		`\n${MAILS} mails, ${ROUNDS} round(s), medians; ${os.cpus().length} cores, machine shared with other work\n`,
	);
	console.table(table);
	const dir = path.join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		path.join(dir, 'n8n.json'),
		JSON.stringify(
			{ mails: MAILS, rounds: ROUNDS, table, runs, at: new Date().toISOString() },
			null,
			2,
		),
	);

	if (profileDir && n8n) {
		// n8n's main is the group leader; its profile is named CPU.<date>.<pid>.<tid>.<seq>.cpuprofile.
		const file = readdirSync(profileDir).find((f) => f.includes(`.${n8n!.pid}.`));
		if (!file)
			throw new Error(
				`no CPU profile of n8n's main (pid ${n8n.pid}) in ${profileDir}: ${readdirSync(profileDir).join(', ')}`,
			);
		const profile = readProfile(path.join(profileDir, file));
		const summaries: Record<string, unknown> = {};
		for (const v of variants) {
			const windows = runs.filter((r) => r.variant === v && r.window).map((r) => r.window!);
			if (!windows.length) continue;
			const s = summarise(profile, windows);
			summaries[v] = { ...s, busyPercent: busyPercent(s) };
			printSummary(`CPU profile of n8n's main while ${LABELS[v]} drained`, s);
		}
		writeFileSync(
			path.join(dir, 'n8n-profile.json'),
			JSON.stringify({ file: path.join(profileDir, file), summaries }, null, 2),
		);
		process.stdout.write(
			`\nprofile: ${path.join(profileDir, file)} (kept for DevTools / speedscope)\n`,
		);
	}
}
