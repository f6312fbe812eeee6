/**
 * The templates of templates/ inside a real n8n (issue #7): imported through the REST API the
 * editor's "Import from file" saves with, activated with real credentials against the test
 * Dovecot/Postfix and a SQLite or PostgreSQL store, and fed real mail through Postfix.
 * Registered inside `describeInN8n` (suite.ts), so they share its n8n server.
 */
import { randomUUID } from 'node:crypto';

import { address, claimUser, composeMail, deliver, listImap } from '../../support/mail-stack';
import { startTcpRelay } from '../../support/tcp-relay';
import {
	TEMPLATE_NAMES,
	loadTemplate,
	readTemplate,
	type CredentialRef,
	type TemplateSetup,
} from '../../support/templates';
import type { N8nVersion } from './harness-folder';
import type { CreatedWorkflow, ExecutionSummary } from './n8n-rest';
import type { N8nServer } from './n8n-server';
import { describeExecutions } from './executions';
import { mailboxData, smtpData } from './profiles';
import {
	CASE_REF,
	claimPeople,
	closeAllStores,
	distinctIds,
	embeddedStoreConfig,
	freshPgSchema,
	getStore,
	mailsForCase,
	seedStore,
	sendViaPostfix,
	type People,
	type Seeded,
} from './ticket-world';
import { sleep, waitFor } from './wait';

export interface TemplateSuiteContext {
	version: N8nVersion;
	server: () => N8nServer;
	withLog: (fn: (n8n: N8nServer) => Promise<void>) => () => Promise<void>;
}

const TEST_MS = 240_000;
const MAIL_MS = 60_000;
const finished = (e: ExecutionSummary) =>
	e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting';

export function templateTests({ version, server, withLog }: TemplateSuiteContext): void {
	const people: People = claimPeople();
	const cleanups: Array<() => Promise<void>> = [];
	afterAll(async () => {
		await closeAllStores();
		for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
	});

	/** Credentials of one test: its own inbox for the trigger, the inbox's SMTP login for sending. */
	async function profiles(n8n: N8nServer, inbox: string, label: string) {
		const mailbox = await n8n.rest.createCredential(
			`${label} mailbox`,
			'mailCasesMailbox',
			mailboxData(inbox),
		);
		const smtp = await n8n.rest.createCredential(`${label} SMTP`, 'mailCasesSmtp', smtpData(inbox));
		return { mailCasesMailbox: mailbox, mailCasesSmtp: smtp };
	}

	/** Quick polling and retries for the tests; everything else as the template ships. */
	const triggerTuning = (extra: Record<string, unknown> = {}) => ({
		'Mail Cases Trigger': { options: { pollIntervalSeconds: 5, retryDelaySeconds: 2, ...extra } },
	});

	async function importTemplate(
		n8n: N8nServer,
		name: 'ticket-system' | 'existing-cases-forward',
		setup: TemplateSetup,
	): Promise<CreatedWorkflow> {
		return n8n.rest.createWorkflow(
			loadTemplate(name, {
				...setup,
				name: `${readTemplate(name).name} (${randomUUID().slice(0, 6)})`,
			}) as never,
		);
	}

	async function importAndActivate(
		n8n: N8nServer,
		name: 'ticket-system' | 'existing-cases-forward',
		setup: TemplateSetup,
	): Promise<CreatedWorkflow> {
		const workflow = await importTemplate(n8n, name, setup);
		await n8n.rest.activateWorkflow(workflow);
		return workflow;
	}

	const state = async (n8n: N8nServer, workflow: CreatedWorkflow, inbox: string) =>
		`${describeExecutions(await n8n.rest.listExecutions(workflow.id))}; INBOX: ${(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'}`;

	/** The acknowledgement a customer got for the request with `subject`; its case number. */
	async function acknowledgement(customer: string, subject: string): Promise<string> {
		const ack = await waitFor(
			async () =>
				(await listImap(customer)).find(
					(m) => CASE_REF.test(m.subject) && m.subject.endsWith(subject),
				),
			MAIL_MS,
			`the acknowledgement of "${subject}" at ${address(customer)}`,
		);
		return CASE_REF.exec(ack.subject)![1];
	}

	test(
		'templates: all three import into n8n as shipped (placeholders) and every node type and version is one the server knows',
		withLog(async ({ rest }) => {
			const known = await rest.request<Array<{ name: string; version: number | number[] }>>(
				'GET',
				'/types/nodes.json',
			);
			const versions = new Map<string, number[]>();
			for (const t of known)
				versions.set(t.name, [...(versions.get(t.name) ?? []), ...[t.version].flat()]);
			for (const name of TEMPLATE_NAMES) {
				const template = readTemplate(name);
				for (const node of template.nodes)
					expect({
						node: node.name,
						known: versions.get(node.type)?.includes(node.typeVersion) ?? false,
					}).toEqual({
						node: node.name,
						known: true,
					});
				const saved = await rest.createWorkflow(template as never);
				const back = await rest.request<{
					nodes: Array<{ name: string; type: string; parameters: unknown }>;
					connections: unknown;
				}>('GET', `/rest/workflows/${saved.id}`);
				expect(back.nodes.map((n) => [n.name, n.type]).sort()).toEqual(
					template.nodes.map((n) => [n.name, n.type]).sort(),
				);
				expect(back.connections).toEqual(template.connections);
				for (const node of template.nodes)
					expect(back.nodes.find((n) => n.name === node.name)?.parameters).toEqual(node.parameters);
			}
		}),
		60_000,
	);

	test(
		'template "ticket-system" on the embedded SQLite store: a new request opens a case and is acknowledged, a reply with Field = Value updates it and notifies the unit, an answer to the acknowledgement without the number finds the case, an out-of-office is ignored (R-PROC-1/3/5/6b, R-PLUS-3, R-PLUS-4)',
		withLog(async (n8n) => {
			const inbox = claimUser();
			const [customer] = people.customers;
			const store = await getStore(embeddedStoreConfig(n8n.userFolder));
			const seeded = await seedStore(store, people, `A-${version}-${randomUUID().slice(0, 4)}`);
			const credentials = await profiles(n8n, inbox, 'Ticket A');
			const workflow = await importAndActivate(n8n, 'ticket-system', {
				credentials,
				parameters: {
					...triggerTuning(),
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
				},
			});
			const why = () => state(n8n, workflow, inbox);

			// 1. A new request in German, through Postfix.
			const token = randomUUID().slice(0, 6);
			const subject = `Heizung fällt aus – Bitte um Rückruf ${token}`;
			const requestId = await sendViaPostfix({
				from: `"Erika Mustermann" <${address(customer)}>`,
				to: address(inbox),
				subject,
				text: 'Guten Tag,\n\nunsere Heizung läuft seit gestern nicht mehr. Bitte rufen Sie zurück.\n\nGrüße\nErika Mustermann',
			});
			const number = await acknowledgement(customer, subject);
			const created = await store.cases.requireByNumber(number);
			expect(created).toMatchObject({
				workflowId: seeded.workflow.id,
				responsibleOrgUnitId: seeded.unit.id,
				requesterAddress: address(customer),
				contactId: seeded.contactIds[0],
			});
			const [ack] = await mailsForCase(customer, number, token);
			// #11.7: the signed reference (a reply with it is accepted from anyone)
			expect(ack.subject).toMatch(new RegExp(`^\\[#${number}-[0-9a-z]{6}\\] `));
			expect(ack.subject.endsWith(` ${subject}`)).toBe(true);
			expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
			expect(ack.parsed.inReplyTo).toBe(requestId);
			expect(ack.from).toBe(address(inbox));
			// The inbound workplace (both members) is told about the new case.
			for (const agent of [people.agentA, people.agentB])
				await waitFor(
					async () => (await mailsForCase(agent, number, token)).length === 1,
					MAIL_MS,
					`${agent}'s notification`,
				);

			// 2. The customer answers with field lines.
			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: `AW: [#${number}] ${subject}`,
				inReplyTo: ack.messageId,
				text: 'Hier meine Daten:\nTelefon = 0221 123456\nVertragsnummer = V-4711\n\nMfG',
			});
			const updated = await waitFor(
				async () => {
					const c = await store.cases.requireByNumber(number);
					return c.fields.Telefon ? c : undefined;
				},
				MAIL_MS,
				'the case fields set by the reply',
				why,
			);
			expect(updated.fields).toEqual({ Telefon: '0221 123456', Vertragsnummer: 'V-4711' });
			for (const agent of [people.agentA, people.agentB])
				await waitFor(
					async () => (await mailsForCase(agent, number, token)).length === 2,
					MAIL_MS,
					`${agent}'s second notification`,
					why,
				);

			// 2b. R-PLUS-4: an answer to the acknowledgement that lost the case number finds the case
			//     through In-Reply-To (the acknowledgement's Message-ID is recorded on the case).
			const followUp = `Noch eine Frage zur Heizung ${token}`;
			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: followUp,
				inReplyTo: ack.messageId,
				references: [ack.messageId!],
				text: 'Kommt der Techniker auch am Samstag?',
			});
			for (const agent of [people.agentA, people.agentB])
				await waitFor(
					async () => (await mailsForCase(agent, number, token)).length === 3,
					MAIL_MS,
					`${agent}'s notification for the follow-up`,
					why,
				);

			// 3. An out-of-office answer to the acknowledgement (planted over LMTP, so it is in the
			//    INBOX before we wait for the INBOX to empty).
			await deliver(
				inbox,
				await composeMail({
					from: address(customer),
					to: address(inbox),
					subject: `Abwesenheitsnotiz: [#${number}] ${subject}`,
					inReplyTo: ack.messageId,
					headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
					text: 'Ich bin bis zum 3. Januar nicht im Büro.',
				}),
			);
			await waitFor(
				async () => (await listImap(inbox)).length === 0,
				MAIL_MS,
				'an empty INBOX',
				why,
			);
			await sleep(2_000);

			const activities = await store.activities.listForCase(created.id);
			expect(activities.filter((a) => a.kind === 'incoming_mail').map((a) => a.subject)).toEqual([
				subject,
				`AW: [#${number}] ${subject}`,
				followUp,
			]);
			expect(
				activities
					.filter((a) => a.kind === 'field_change')
					.map((a) => [a.fieldName, a.newValue])
					.sort(),
			).toEqual([
				['Telefon', '0221 123456'],
				['Vertragsnummer', 'V-4711'],
			]);
			expect(await store.cases.list({ workflowId: seeded.workflow.id })).toHaveLength(1);
			expect(await mailsForCase(customer, number, token)).toHaveLength(1); // one acknowledgement, no more
			for (const agent of [people.agentA, people.agentB])
				expect(await mailsForCase(agent, number, token)).toHaveLength(3);
			const executions = await n8n.rest.listExecutions(workflow.id);
			expect(executions.length).toBeGreaterThanOrEqual(3);
			expect(executions.map((e) => e.status)).toEqual(executions.map(() => 'success'));
			await n8n.rest.deactivateWorkflow(workflow);
		}),
		TEST_MS,
	);

	test(
		'template "existing-cases-forward" on a PostgreSQL store: a mail naming a case is added to it, any other mail is forwarded and opens no case (R-PROC-1, R-PROC-6a)',
		withLog(async (n8n) => {
			const inbox = claimUser();
			const [, customer] = people.customers;
			const pg = freshPgSchema();
			cleanups.push(pg.drop);
			const store = await getStore(pg.config);
			const seeded = await seedStore(store, people, 'B');
			const existing = await store.cases.create({
				workflowId: seeded.workflow.id,
				responsibleOrgUnitId: seeded.unit.id,
				title: 'Zählerstand',
				requesterAddress: address(customer),
			});
			const credentials = await profiles(n8n, inbox, 'Ticket B');
			const token = randomUUID().slice(0, 6);
			const storeRef: CredentialRef = await n8n.rest.createCredential(
				'Ticket B store',
				'mailCasesStore',
				pg.credential,
			);
			const workflow = await importAndActivate(n8n, 'existing-cases-forward', {
				credentials,
				store: storeRef,
				parameters: { ...triggerTuning(), Forward: { forwardTo: address(people.backOffice) } },
			});
			const why = () => state(n8n, workflow, inbox);

			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: `Vorgang ${existing.number}: Nachtrag ${token}`,
				text: 'Vertragsnummer = V-0815\n',
			});
			const stray = `Allgemeine Frage ohne Vorgang ${randomUUID().slice(0, 4)}`;
			const strayId = await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: stray,
				text: 'Wer ist zuständig?',
			});

			const updated = await waitFor(
				async () => {
					const c = await store.cases.requireByNumber(existing.number);
					return c.fields.Vertragsnummer ? c : undefined;
				},
				MAIL_MS,
				'the existing case updated',
				why,
			);
			expect(updated.fields).toEqual({ Vertragsnummer: 'V-0815' });
			const forwarded = await waitFor(
				async () => (await listImap(people.backOffice)).find((m) => m.subject.includes(stray)),
				MAIL_MS,
				'the forwarded mail at the back office',
				why,
			);
			// The original travels as an attachment, byte for byte its own message.
			const attached = forwarded.parsed.attachments.find((a) => a.contentType === 'message/rfc822');
			expect(attached?.content.toString('utf8')).toContain(strayId);
			for (const agent of [people.agentA, people.agentB])
				await waitFor(
					async () => (await mailsForCase(agent, existing.number, token)).length === 1,
					MAIL_MS,
					`${agent}'s notification`,
					why,
				);
			await waitFor(
				async () => (await listImap(inbox)).length === 0,
				MAIL_MS,
				'an empty INBOX',
				why,
			);

			expect(await store.cases.list({ workflowId: seeded.workflow.id })).toHaveLength(1);
			const executions = await waitFor(
				async () => {
					const list = await n8n.rest.listExecutions(workflow.id);
					return list.length > 0 && list.every(finished) ? list : undefined;
				},
				20_000,
				'finished executions',
			);
			expect(executions.map((e) => e.status)).toEqual(executions.map(() => 'success'));
			await n8n.rest.deactivateWorkflow(workflow);
		}),
		TEST_MS,
	);

	test(
		'template "ticket-system" with a PostgreSQL store that goes away: the run fails, the mail stays on the server, and the n8n server retries it once the store is back (R-PROC-4)',
		withLog(async (n8n) => {
			const inbox = claimUser();
			const [, , customer] = people.customers;
			const relay = await startTcpRelay(
				Number(process.env.PGPORT || 5432),
				process.env.PGHOST || '127.0.0.1',
			);
			cleanups.push(() => relay.close());
			const pg = freshPgSchema({ host: '127.0.0.1', port: relay.port });
			cleanups.push(pg.drop);
			const store = await getStore(pg.config);
			const seeded = await seedStore(store, people, 'C');
			const credentials = await profiles(n8n, inbox, 'Ticket C');
			const storeRef = await n8n.rest.createCredential(
				'Ticket C store (through a relay)',
				'mailCasesStore',
				pg.credential,
			);
			const workflow = await importAndActivate(n8n, 'ticket-system', {
				credentials,
				store: storeRef,
				parameters: {
					...triggerTuning({ maxAttempts: 50 }),
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
				},
			});
			const why = () => state(n8n, workflow, inbox);

			const first = `Erste Anfrage ${randomUUID().slice(0, 4)}`;
			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: first,
				text: 'eins',
			});
			await acknowledgement(customer, first);
			// The first run is over (mail removed, run recorded) before the database goes away.
			await waitFor(
				async () => (await listImap(inbox)).length === 0,
				MAIL_MS,
				'the first mail processed',
				why,
			);
			await waitFor(
				async () => {
					const list = await n8n.rest.listExecutions(workflow.id);
					return list.length > 0 && list.every((e) => e.status === 'success');
				},
				20_000,
				'the first run recorded as successful',
				why,
			);

			relay.refuse(true); // the database goes away
			const second = `Zweite Anfrage während der Störung ${randomUUID().slice(0, 4)}`;
			await sendViaPostfix({
				from: address(customer),
				to: address(inbox),
				subject: second,
				text: 'zwei',
			});
			const failed = await waitFor(
				async () => (await n8n.rest.listExecutions(workflow.id)).find((e) => e.status === 'error'),
				MAIL_MS,
				'a failed execution while the store is unreachable',
				why,
			);
			expect((await listImap(inbox)).map((m) => m.subject)).toEqual([second]);
			expect((await listImap(customer)).some((m) => m.subject.endsWith(second))).toBe(false);

			relay.refuse(false); // and comes back
			const number = await acknowledgement(customer, second);
			await waitFor(
				async () => (await listImap(inbox)).length === 0,
				MAIL_MS,
				'an empty INBOX',
				why,
			);
			const cases = await store.cases.list({ workflowId: seeded.workflow.id });
			expect(cases.map((c) => c.title).sort()).toEqual([first, second].sort());
			expect(cases.find((c) => c.title === second)?.number).toBe(number);
			expect((await listImap(customer)).filter((m) => m.subject.endsWith(second))).toHaveLength(1);
			const list = await n8n.rest.listExecutions(workflow.id);
			expect(list.filter((e) => e.status === 'error').length).toBeGreaterThanOrEqual(1);
			expect(list.filter((e) => e.status === 'success').length).toBeGreaterThanOrEqual(2);
			expect(Number(failed.id)).toBeGreaterThan(0);
			await n8n.rest.deactivateWorkflow(workflow);
		}),
		TEST_MS,
	);

	test(
		'template "ticket-system": n8n killed (SIGKILL) while it processes requests and started again — every mail has exactly one case, one activity, one notification per member and at most one acknowledgement (R-PLUS-1, R-PLUS-2)',
		withLog(async (n8n) => {
			const inbox = claimUser();
			const store = await getStore(embeddedStoreConfig(n8n.userFolder));
			const seeded: Seeded = await seedStore(
				store,
				people,
				`D-${version}-${randomUUID().slice(0, 4)}`,
			);
			const credentials = await profiles(n8n, inbox, 'Ticket D');
			const workflow = await importTemplate(n8n, 'ticket-system', {
				credentials,
				parameters: {
					...triggerTuning(),
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
				},
			});
			const tag = randomUUID().slice(0, 4);
			const subjects = Array.from({ length: 14 }, (_, i) => `Anfrage ${tag} Nr. ${i + 1}`);
			const from = (i: number) => people.customers[i % people.customers.length];
			const plant = async (i: number) =>
				deliver(
					inbox,
					await composeMail({
						from: address(from(i)),
						to: address(inbox),
						subject: subjects[i],
						text: `Anliegen ${i + 1}`,
					}),
				);
			for (let i = 0; i < 12; i++) await plant(i);
			await n8n.rest.activateWorkflow(workflow);

			// Kill n8n as soon as the first acknowledgement went out: the batch is in flight.
			await waitFor(
				async () => {
					for (const c of people.customers)
						if ((await listImap(c)).some((m) => m.subject.includes(tag))) return true;
					return false;
				},
				MAIL_MS,
				'the first acknowledgement',
			);
			await n8n.kill();
			for (const i of [12, 13]) await plant(i);
			await n8n.restart();
			const why = () => state(n8n, workflow, inbox);
			await waitFor(
				async () => (await listImap(inbox)).length === 0,
				120_000,
				'an empty INBOX after the restart',
				why,
			);
			const cases = await waitFor(
				async () => {
					const list = await store.cases.list({ workflowId: seeded.workflow.id });
					return list.length >= subjects.length ? list : undefined;
				},
				MAIL_MS,
				`${subjects.length} cases`,
				why,
			);
			// Exactly one case per mail, each with exactly one incoming mail.
			expect(cases.map((c) => c.title).sort()).toEqual([...subjects].sort());
			for (const c of cases) {
				const incoming = (await store.activities.listForCase(c.id)).filter(
					(a) => a.kind === 'incoming_mail',
				);
				expect({ case: c.title, incoming: incoming.length }).toEqual({
					case: c.title,
					incoming: 1,
				});
			}
			// Notifications and acknowledgements: wait until every case has its notification.
			await waitFor(
				async () => {
					for (const agent of [people.agentA, people.agentB]) {
						const mails = (await listImap(agent)).filter((m) => m.subject.includes(tag));
						if (new Set(mails.map((m) => CASE_REF.exec(m.subject)?.[1])).size < cases.length)
							return false;
					}
					return true;
				},
				MAIL_MS,
				'a notification per case for both members',
				why,
			);
			let resent = 0;
			let acknowledged = 0;
			for (const c of cases) {
				for (const agent of [people.agentA, people.agentB]) {
					const mails = await mailsForCase(agent, c.number, tag);
					// One notification; a kill between the SMTP hand-over and the ledger write can
					// deliver it twice, then with the same Message-ID.
					expect({ case: c.title, distinct: distinctIds(mails) }).toEqual({
						case: c.title,
						distinct: 1,
					});
					resent += mails.length - 1;
				}
				const requester = people.customers.find((u) => address(u) === c.requesterAddress)!;
				const acks = await mailsForCase(requester, c.number, tag);
				expect({ case: c.title, acks: distinctIds(acks) }).toEqual({ case: c.title, acks: 1 });
				acknowledged += acks.length;
			}
			// Only the run in flight at the kill can have sent anything twice.
			expect(resent).toBeLessThanOrEqual(2);
			expect(acknowledged - cases.length).toBeLessThanOrEqual(1);
			const executions = await n8n.rest.listExecutions(workflow.id);
			expect(executions.filter((e) => e.status === 'success').length).toBeGreaterThanOrEqual(1);
			expect(
				executions.every((e) => ['success', 'crashed', 'error', 'unknown'].includes(e.status)),
			).toBe(true);
			await n8n.rest.deactivateWorkflow(workflow);
		}),
		TEST_MS,
	);
}
