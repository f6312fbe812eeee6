/**
 * Issue #15.5: the packed package in a real n8n in queue mode — a main process (the trigger)
 * and two `n8n worker` processes (the runs), Redis as the queue, PostgreSQL as n8n's database
 * (support/queue-mode.ts). The ticket template is imported with a PostgreSQL "Mail Cases Store"
 * credential (its own schema) and real IMAP/SMTP credentials against the test Dovecot/Postfix,
 * its trigger set to several runs in flight so that both workers get work.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { address, claimUser, composeMail, getStack } from '../../support/mail-stack';
import { loadTemplate, readTemplate, type CredentialRef } from '../../support/templates';
import type { Store } from '../../../lib/store';
import type { N8nVersion } from './harness-folder';
import type { CreatedWorkflow, N8nRest } from './n8n-rest';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';
import { countMails, envelopes, plantMails, type Envelope } from './queue-mail';
import { startQueueCluster, type QueueCluster } from './queue-mode';
import {
	CASE_REF,
	claimPeople,
	closeAllStores,
	freshPgSchema,
	getStore,
	seedStore,
	type People,
	type Seeded,
} from './ticket-world';
import { waitFor } from './wait';

/**
 * Bull's lock and stall timers, shortened so that the job of a SIGKILLed worker is found stalled
 * within seconds instead of n8n's ~75 s (lock 60 s, stall check every 30 s). The same for all
 * processes; nothing else differs from n8n's defaults.
 */
const BULL_TIMERS = {
	QUEUE_WORKER_LOCK_DURATION: '15000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

/** The trigger's Max Concurrent Executions in these tests: more than one, or one worker idles. */
export const QUEUE_CONCURRENCY = 4;

const BATCH_MS = 300_000;

interface Ticket {
	workflow: CreatedWorkflow;
	store: Store;
	seeded: Seeded;
	inbox: string;
	tag: string;
}

/** Executions of a workflow by status, counted by n8n (not limited to one page). */
async function executionCount(rest: N8nRest, workflowId: string, status?: string[]) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status } : {}) }));
	const page = await rest.request<{ count: number; results: Array<{ status: string }> }>(
		'GET',
		`/rest/executions?filter=${filter}&limit=1`,
	);
	return page.count;
}

export function describeQueueModeInN8n(version: N8nVersion): void {
	describe(`the packed package in n8n ${version} in queue mode (main + 2 workers, Redis, PostgreSQL)`, () => {
		let cluster: QueueCluster | undefined;
		const people: People = claimPeople();
		const drops: Array<() => Promise<void>> = [];
		const q = (): QueueCluster => {
			if (!cluster) throw new Error(`n8n ${version} queue mode did not start (see beforeAll)`);
			return cluster;
		};
		const withLogs = (fn: (c: QueueCluster) => Promise<void>) => async () => {
			const c = q();
			const t0 = Date.now();
			try {
				await fn(c);
				process.stderr.write(
					`e2e queue: "${expect.getState().currentTestName?.slice(0, 60)}…" took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
				);
			} catch (error) {
				const e = error as Error;
				e.message += `\n--- n8n ${version} queue mode logs (last lines) ---\n${c.describe(25)}`;
				throw e;
			}
		};

		beforeAll(async () => {
			const t0 = Date.now();
			cluster = await startQueueCluster({
				version,
				tarball: packedTarball(),
				caFile: getStack().caFile,
				workers: 2,
				workerConcurrency: 5,
				env: BULL_TIMERS,
			});
			process.stderr.write(
				`e2e: n8n ${version} queue mode at ${cluster.main.baseUrl}: main + ${cluster.workers.length} workers ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (main ${(cluster.timings.mainMs / 1000).toFixed(1)} s of it, its first start migrating the database; workers ${(cluster.timings.workersMs / 1000).toFixed(1)} s; database ${cluster.database}, Redis db ${cluster.redis.db})\n`,
			);
		}, 420_000);

		afterAll(async () => {
			await cluster?.stop();
			await closeAllStores();
			for (const drop of drops.splice(0)) await drop().catch(() => undefined);
		}, 120_000);

		/** Mailbox, SMTP and (optionally) store credentials, the template imported with them. */
		async function importTicket(
			c: QueueCluster,
			label: string,
			trigger: Record<string, unknown>,
			withStore = true,
		): Promise<Ticket> {
			const { rest } = c.main;
			const inbox = claimUser();
			const tag = randomUUID().slice(0, 6);
			const pg = freshPgSchema();
			drops.push(pg.drop);
			const store = await getStore(pg.config);
			const seeded = await seedStore(store, people, `${label}-${tag}`);
			const mailbox = await rest.createCredential(
				`${label} mailbox`,
				'mailCasesMailbox',
				mailboxData(inbox),
			);
			const smtp = await rest.createCredential(`${label} SMTP`, 'mailCasesSmtp', smtpData(inbox));
			const storeRef: CredentialRef | undefined = withStore
				? await rest.createCredential(`${label} store`, 'mailCasesStore', pg.credential)
				: undefined;
			const workflow = await rest.createWorkflow(
				loadTemplate('ticket-system', {
					name: `${readTemplate('ticket-system').name} (${label} ${tag})`,
					credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
					...(storeRef ? { store: storeRef } : {}),
					parameters: {
						'Mail Cases Trigger': {
							options: { pollIntervalSeconds: 5, retryDelaySeconds: 2, ...trigger },
						},
						'Create Case From Mail': {
							workflow: seeded.workflow.name,
							inboundWorkplace: seeded.unit.name,
						},
						// The template's loop guard allows 10 acknowledgements per recipient and hour; the
						// tests' hundreds of requests come from three customer mailboxes.
						'Send Acknowledgement': { options: { limitPerRecipient: 1000 } },
					},
				}) as never,
			);
			return { workflow, store, seeded, inbox, tag };
		}

		/** A new request of customer `i % 3` with a subject unique to the test. */
		const request = (t: Ticket, i: number) =>
			composeMail({
				from: address(people.customers[i % people.customers.length]),
				to: address(t.inbox),
				subject: `Anfrage ${t.tag} Nr. ${i + 1}`,
				text: `Anliegen Nummer ${i + 1}`,
			});
		const subjects = (t: Ticket, n: number) =>
			Array.from({ length: n }, (_, i) => `Anfrage ${t.tag} Nr. ${i + 1}`);

		/** Our mails to `user` that belong to this test, by case number. */
		async function mailsByCase(user: string, tag: string): Promise<Map<string, Envelope[]>> {
			const byCase = new Map<string, Envelope[]>();
			for (const m of await envelopes(user)) {
				const number = CASE_REF.exec(m.subject)?.[1];
				if (!number || !m.subject.includes(tag)) continue;
				byCase.set(number, [...(byCase.get(number) ?? []), m]);
			}
			return byCase;
		}
		async function acknowledgements(tag: string): Promise<Map<string, Envelope[]>> {
			const all = new Map<string, Envelope[]>();
			for (const customer of people.customers)
				for (const [number, mails] of await mailsByCase(customer, tag))
					all.set(number, [...(all.get(number) ?? []), ...mails]);
			return all;
		}

		async function state(c: QueueCluster, t: Ticket): Promise<string> {
			const { rest } = c.main;
			const [inbox, quarantine, total, failed] = await Promise.all([
				countMails(t.inbox),
				countMails(t.inbox, 'Quarantine'),
				executionCount(rest, t.workflow.id),
				executionCount(rest, t.workflow.id, ['error', 'crashed']),
			]);
			return `INBOX ${inbox}, Quarantine ${quarantine}, executions ${total} (${failed} failed), started per worker: ${c.workers.map((w) => `${w.name} ${w.startedExecutions().length}`).join(', ')}`;
		}

		/** Waits for an empty INBOX and no run in flight; returns the executions per worker of this wait. */
		async function drain(c: QueueCluster, t: Ticket, timeoutMs = BATCH_MS): Promise<void> {
			await waitFor(
				async () => (await countMails(t.inbox)) === 0,
				timeoutMs,
				`an empty INBOX of ${t.inbox}`,
				() => state(c, t),
			);
			await waitFor(
				async () =>
					(await executionCount(c.main.rest, t.workflow.id, ['new', 'running', 'waiting'])) === 0,
				60_000,
				'no execution in flight',
				() => state(c, t),
			);
		}

		test(
			'the template without a store credential (embedded SQLite) is refused on the workers with STORE_NOT_SHARED; the mail is not lost and no SQLite file appears',
			withLogs(async (c) => {
				const t = await importTicket(c, 'SQLite', { maxAttempts: 2, retryDelaySeconds: 1 }, false);
				await plantMails(t.inbox, [await request(t, 0)]);
				await c.main.rest.activateWorkflow(t.workflow);
				const failedId = await waitFor(
					async () => {
						const filter = encodeURIComponent(
							JSON.stringify({ workflowId: t.workflow.id, status: ['error'] }),
						);
						const page = await c.main.rest.request<{ results: Array<{ id: string }> }>(
							'GET',
							`/rest/executions?filter=${filter}&limit=1`,
						);
						return page.results[0] ? String(page.results[0].id) : undefined;
					},
					120_000,
					'a failed execution',
					() => state(c, t),
				);
				const execution = await c.main.rest.request<{ data: string }>(
					'GET',
					`/rest/executions/${failedId}`,
				);
				// The run data is stored with flatted; the error text is in it verbatim.
				expect(execution.data).toContain('n8n runs in queue mode');
				expect(execution.data).toContain('STORE_NOT_SHARED');
				expect(execution.data).toContain('Mail Cases Store');
				expect(c.workerOf(failedId)).toMatch(/^worker-/);
				await c.main.rest.deactivateWorkflow(t.workflow);
				// The mail is still there (INBOX, or Quarantine after its attempts).
				expect((await countMails(t.inbox)) + (await countMails(t.inbox, 'Quarantine'))).toBe(1);
				for (const folder of [c.main.userFolder, ...c.workers.map((w) => w.userFolder)])
					expect(existsSync(path.join(folder, '.n8n', 'mail-cases.sqlite'))).toBe(false);
			}),
			180_000,
		);

		test(
			`200 requests and 50 replies with Max Concurrent Executions ${QUEUE_CONCURRENCY}: one case per request, one activity per mail, the reply's fields on its own case, one acknowledgement per case and one notification per mail and member, INBOX empty, runs on both workers`,
			withLogs(async (c) => {
				const REQUESTS = 200;
				const REPLIES = 50;
				const t = await importTicket(c, 'Batch', {
					maxConcurrentExecutions: QUEUE_CONCURRENCY,
					mailsPerExecution: 5,
				});
				const started = c.workers.map((w) => w.startedExecutions().length);
				const raws: Buffer[] = [];
				for (let i = 0; i < REQUESTS; i++) raws.push(await request(t, i));
				await plantMails(t.inbox, raws);
				await c.main.rest.activateWorkflow(t.workflow);
				const why = () => state(c, t);

				// The customers answer the first acknowledgements while the batch is still running.
				const acked = await waitFor(
					async () => {
						const acks = await acknowledgements(t.tag);
						return acks.size >= REPLIES ? acks : undefined;
					},
					BATCH_MS,
					`${REPLIES} acknowledgements`,
					why,
				);
				const replied = new Map<string, string>(); // case number → Telefon of its reply
				const replies: Buffer[] = [];
				for (const [number, [ack]] of [...acked].slice(0, REPLIES)) {
					const requester = (await t.store.cases.requireByNumber(number)).requesterAddress!;
					const phone = `0221 ${t.tag}-${replied.size + 1}`;
					replied.set(number, phone);
					replies.push(
						await composeMail({
							from: requester,
							to: address(t.inbox),
							subject: `AW: ${ack.subject}`,
							inReplyTo: ack.messageId,
							references: [ack.messageId],
							text: `Hier die Nummer:\nTelefon = ${phone}\n\nGruss`,
						}),
					);
				}
				await plantMails(t.inbox, replies);
				await drain(c, t);

				// One case per request, the reply's field on its own case, one activity per mail.
				const cases = await t.store.cases.list({ workflowId: t.seeded.workflow.id, limit: 1000 });
				expect(cases.map((x) => x.title).sort()).toEqual(subjects(t, REQUESTS).sort());
				let activities = 0;
				for (const x of cases) {
					const incoming = (await t.store.activities.listForCase(x.id)).filter(
						(a) => a.kind === 'incoming_mail',
					);
					activities += incoming.length;
					expect({ case: x.number, incoming: incoming.length, Telefon: x.fields.Telefon }).toEqual({
						case: x.number,
						incoming: replied.has(x.number) ? 2 : 1,
						Telefon: replied.get(x.number),
					});
				}
				expect(activities).toBe(REQUESTS + REPLIES);

				// One acknowledgement per case, counted in Dovecot.
				const acks = await acknowledgements(t.tag);
				expect(acks.size).toBe(REQUESTS);
				expect([...acks.values()].filter((m) => m.length !== 1)).toEqual([]);
				// One notification per mail for each member of the inbound workplace.
				for (const agent of [people.agentA, people.agentB]) {
					const notes = await mailsByCase(agent, t.tag);
					expect(notes.size).toBe(REQUESTS);
					expect(
						[...notes].filter(([n, m]) => m.length !== (replied.has(n) ? 2 : 1)).map(([n]) => n),
					).toEqual([]);
				}
				expect(await countMails(t.inbox)).toBe(0);
				expect(await countMails(t.inbox, 'Quarantine')).toBe(0);
				expect(await executionCount(c.main.rest, t.workflow.id, ['error', 'crashed'])).toBe(0);
				// Both workers ran executions of this batch.
				const ran = c.workers.map((w, i) => w.startedExecutions().length - started[i]);
				process.stderr.write(`e2e queue batch: executions per worker ${ran.join(' / ')}\n`);
				for (const n of ran) expect(n).toBeGreaterThan(0);
				await c.main.rest.deactivateWorkflow(t.workflow);
			}),
			BATCH_MS + 120_000,
		);

		test(
			'a worker SIGKILLed in the middle of a batch and started again: every request has exactly one case with one activity, no acknowledgement goes out twice as another mail, nothing is left in the INBOX',
			withLogs(async (c) => {
				const FIRST = 60;
				const LATER = 10;
				const t = await importTicket(c, 'Kill', {
					maxConcurrentExecutions: QUEUE_CONCURRENCY,
					mailsPerExecution: 5,
				});
				const victim = c.workers[0];
				const before = victim.startedExecutions().length;
				const raws: Buffer[] = [];
				for (let i = 0; i < FIRST; i++) raws.push(await request(t, i));
				await plantMails(t.inbox, raws);
				await c.main.rest.activateWorkflow(t.workflow);
				const why = () => state(c, t);

				// Kill the worker while it runs this batch, once the first acknowledgements went out.
				await waitFor(
					async () =>
						victim.startedExecutions().length > before &&
						victim.runningExecutions().length > 0 &&
						(await acknowledgements(t.tag)).size > 0,
					BATCH_MS,
					`${victim.name} running this batch`,
					why,
				);
				const inFlight = victim.runningExecutions();
				await victim.kill();
				// The restart (tens of seconds) overlaps with the other worker going on.
				const restarted = victim.start();
				const later: Buffer[] = [];
				for (let i = FIRST; i < FIRST + LATER; i++) later.push(await request(t, i));
				await plantMails(t.inbox, later);
				await restarted;
				await drain(c, t);
				// The killed runs are recorded as failed (n8n finds their jobs stalled), their mails ran again.
				expect(inFlight.length).toBeGreaterThan(0);
				expect(
					await executionCount(c.main.rest, t.workflow.id, ['error', 'crashed']),
				).toBeGreaterThanOrEqual(1);

				const cases = await t.store.cases.list({ workflowId: t.seeded.workflow.id, limit: 1000 });
				expect(cases.map((x) => x.title).sort()).toEqual(subjects(t, FIRST + LATER).sort());
				for (const x of cases) {
					const incoming = (await t.store.activities.listForCase(x.id)).filter(
						(a) => a.kind === 'incoming_mail',
					);
					expect({ case: x.number, incoming: incoming.length }).toEqual({
						case: x.number,
						incoming: 1,
					});
				}
				const acks = await acknowledgements(t.tag);
				expect(acks.size).toBe(FIRST + LATER);
				// A mail accepted by SMTP just before the kill may be repeated, with its Message-ID.
				const distinct = [...acks].filter(([, m]) => new Set(m.map((x) => x.messageId)).size !== 1);
				expect(distinct.map(([n]) => n)).toEqual([]);
				const repeated = [...acks.values()].reduce((s, m) => s + m.length - 1, 0);
				process.stderr.write(
					`e2e queue kill: ${repeated} acknowledgement(s) repeated with the same Message-ID; ${await why()}\n`,
				);
				expect(repeated).toBeLessThanOrEqual(5);
				expect(await countMails(t.inbox, 'Quarantine')).toBe(0);
				await c.main.rest.deactivateWorkflow(t.workflow);
			}),
			BATCH_MS + 120_000,
		);

		test(
			`the same mails delivered twice, one mail per run, Max Concurrent Executions ${QUEUE_CONCURRENCY}: the copies run at the same time on both workers, yet each request gets one case, one activity, one acknowledgement and one notification per member — no mail is sent twice`,
			withLogs(async (c) => {
				const REQUESTS = 40;
				const t = await importTicket(c, 'Twice', {
					maxConcurrentExecutions: QUEUE_CONCURRENCY,
					mailsPerExecution: 1,
				});
				const started = c.workers.map((w) => w.startedExecutions().length);
				// Each mail twice in a row (the same bytes, so the same Message-ID): neighbours in the
				// INBOX go to runs that start together.
				const raws: Buffer[] = [];
				for (let i = 0; i < REQUESTS; i++) {
					const raw = await request(t, i);
					raws.push(raw, raw);
				}
				await plantMails(t.inbox, raws);
				await c.main.rest.activateWorkflow(t.workflow);
				await drain(c, t);

				const cases = await t.store.cases.list({ workflowId: t.seeded.workflow.id, limit: 1000 });
				expect(cases.map((x) => x.title).sort()).toEqual(subjects(t, REQUESTS).sort());
				for (const x of cases) {
					const incoming = (await t.store.activities.listForCase(x.id)).filter(
						(a) => a.kind === 'incoming_mail',
					);
					expect({ case: x.number, incoming: incoming.length }).toEqual({
						case: x.number,
						incoming: 1,
					});
				}
				const acks = await acknowledgements(t.tag);
				expect(acks.size).toBe(REQUESTS);
				expect(
					[...acks].filter(([, m]) => m.length !== 1).map(([n, m]) => `${n}: ${m.length}`),
				).toEqual([]);
				for (const agent of [people.agentA, people.agentB]) {
					const notes = await mailsByCase(agent, t.tag);
					expect(notes.size).toBe(REQUESTS);
					expect(
						[...notes].filter(([, m]) => m.length !== 1).map(([n, m]) => `${n}: ${m.length}`),
					).toEqual([]);
				}
				const ran = c.workers.map((w, i) => w.startedExecutions().length - started[i]);
				process.stderr.write(`e2e queue twice: executions per worker ${ran.join(' / ')}\n`);
				for (const n of ran) expect(n).toBeGreaterThan(0);
				await c.main.rest.deactivateWorkflow(t.workflow);
			}),
			BATCH_MS + 120_000,
		);
	});
}
