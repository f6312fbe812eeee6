/**
 * Issue #13's acceptance in a real n8n (each version's test file calls
 * `describeRealTrafficInN8n`): the ticket-system template, imported and activated with real
 * credentials, gets a mailbox mix as a company mailbox delivers it — two real mails without
 * Message-ID (German quoted-printable, Japanese ISO-2022-JP, from the shared corpus), two
 * different mails under one Message-ID, a mail the workflow fails on, an auto-reply, and a
 * customer's reply to an existing case whose subject holds an ignore keyword ("Abwesenheit").
 * All of them wait in the INBOX when the workflow is switched on, so they meet in one run (the
 * trigger's default of 10 mails per run).
 *
 * What must come out: every mail ends in a case (the template's embedded SQLite store, read
 * here), in a folder with its reason (IMAP `Skipped` or `Quarantine` with a keyword), or on a
 * trigger output; none is deleted without trace and none is processed twice (one case per
 * mail, one acknowledgement per customer, one notification per case and member); every
 * execution is green except those that carry the deliberately failing mail.
 *
 * The failing mail: the template is imported unchanged except for one addition, a step behind
 * "Create Case From Mail" that stops the run for a mail whose subject holds FAIL_MARKER —
 * what a user's own next step (a CRM call, a check of their own) refusing one record looks
 * like. It runs after the template's own branches of that node (n8n's execution order v1:
 * branches top to bottom), so the failed run of the whole batch has opened cases, notified and
 * acknowledged before it fails, and the runs of each mail alone must not do any of it again.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	address,
	claimUser,
	composeMail,
	deliver,
	getStack,
	listImap,
	type ListedMessage,
} from '../../support/mail-stack';
import { loadTemplate, readTemplate, type TemplateWorkflow } from '../../support/templates';
import { describeExecutions, outputOf, type Item } from './executions';
import { REPO_ROOT, requireFromHarness, type N8nVersion } from './harness-folder';
import type { ExecutionDetails, ExecutionSummary } from './n8n-rest';
import { startN8n, type N8nServer } from './n8n-server';
import { packedTarball } from './package-tarball';
import { mailboxData, smtpData } from './profiles';
import type { TemplateSuiteContext } from './template-suite';
import {
	CASE_REF,
	closeAllStores,
	embeddedStoreConfig,
	getStore,
	seedStore,
	sendViaPostfix,
	type People,
} from './ticket-world';
import { waitFor } from './wait';

const TEST_MS = 300_000;
const MAIL_MS = 60_000;
const TRIGGER = 'Mail Cases Trigger';
/** A failed mail is tried this often alone, then quarantined (the template's default is 5). */
const MAX_ATTEMPTS = 2;
const FAIL_MARKER = 'E2E-ABBRUCH';
const FAIL_ERROR = `Stopped by the e2e check: the subject holds ${FAIL_MARKER}`;

/** The shared corpus beside the repository (CONTRIBUTING.md, "Test data: the mail corpus"). */
const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');

/** A corpus message, read from its place (never copied into the repository). */
function corpusMail(file: string): Buffer {
	const full = path.join(CORPUS_DIR, file);
	if (!existsSync(full))
		throw new Error(
			`corpus message not found at ${full}: the mail corpus lives beside the repository in ../shared/corpus; see CONTRIBUTING.md`,
		);
	return readFileSync(full);
}

/**
 * A real mail sent to our support mailbox by one of our test customers: From and To replaced,
 * the `drop` fields (lower case) removed, everything else byte for byte as it was.
 */
function rehomed(raw: Buffer, from: string, to: string, drop: readonly string[]): Buffer {
	const text = raw.toString('latin1');
	const split = /\r?\n\r?\n/.exec(text);
	const headEnd = split ? split.index : text.length;
	const eol = text.slice(0, headEnd).includes('\r\n') ? '\r\n' : '\n';
	const removed = new Set(['from', 'to', ...drop]);
	const kept: string[] = [];
	let keep = true;
	for (const line of text.slice(0, headEnd).split(/\r?\n/)) {
		if (!/^[ \t]/.test(line)) keep = !removed.has(line.slice(0, line.indexOf(':')).toLowerCase());
		if (keep) kept.push(line);
	}
	const head = [`From: ${from}`, `To: ${to}`, ...kept].join(eol);
	return Buffer.from(head + text.slice(headEnd), 'latin1');
}

/** The template as shipped plus the failing step (see the file comment). */
function withFailingStep(workflow: TemplateWorkflow): TemplateWorkflow {
	const marked = 'E2E: Subject Holds Marker';
	const stop = 'E2E: Stop Marked Mail';
	const anchor = workflow.nodes.find((n) => n.name === 'Send Acknowledgement')!.position;
	workflow.nodes.push(
		{
			name: marked,
			type: 'n8n-nodes-base.filter',
			typeVersion: 2.2,
			// Below Send Acknowledgement: the last branch of Create Case From Mail to run.
			position: [anchor[0], anchor[1] + 220],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
					combinator: 'and',
					conditions: [
						{
							id: randomUUID(),
							leftValue: '={{ $json.subject }}',
							rightValue: FAIL_MARKER,
							operator: { type: 'string', operation: 'contains' },
						},
					],
				},
				options: {},
			},
		},
		{
			name: stop,
			type: 'n8n-nodes-base.stopAndError',
			typeVersion: 1,
			position: [anchor[0] + 260, anchor[1] + 220],
			parameters: { errorType: 'errorMessage', errorMessage: FAIL_ERROR },
		},
	);
	workflow.connections['Create Case From Mail'].main[0].push({
		node: marked,
		type: 'main',
		index: 0,
	});
	workflow.connections[marked] = { main: [[{ node: stop, type: 'main', index: 0 }]] };
	return workflow;
}

/** One mail of the mix: who sent it (each sender sends one mail) and how it reaches the INBOX. */
interface Planted {
	label: string;
	sender: string;
	raw: Buffer;
}

const finished = (e: ExecutionSummary) => e.status === 'success' || e.status === 'error';
const senderOf = (item: Item) => (item.json.from as { address?: string } | null)?.address ?? '';

/**
 * The test; registered by describeRealTrafficInN8n, or by `describeInN8n` (suite.ts) beside
 * `templateTests` to share its server.
 */
export function realTrafficTests({ version, withLog }: TemplateSuiteContext): void {
	afterAll(() => closeAllStores());

	test(
		"#13: the ticket template gets real mailbox traffic — mails without Message-ID, two mails under one Message-ID, a batch with one failing mail, an auto-reply, a reply to a case whose subject holds an ignore keyword: each ends in a case, a folder with its reason or an output, none twice; only the failing mail's executions are red",
		withLog(async (n8n) => {
			const parseFlatted = (text: string) =>
				requireFromHarness<{ parse: (t: string) => unknown }>(version, 'flatted').parse(text);
			const inbox = claimUser();
			const people: People = {
				agentA: claimUser(),
				agentB: claimUser(),
				customers: Array.from({ length: 7 }, () => claimUser()),
				backOffice: claimUser(),
			};
			const [german, japanese, firstOfPair, secondOfPair, failing, replying, autoReplying] =
				people.customers;
			const token = randomUUID().slice(0, 6);

			const store = await getStore(embeddedStoreConfig(n8n.userFolder));
			const seeded = await seedStore(store, people, `T-${version}-${token}`);
			const existing = await store.cases.create({
				workflowId: seeded.workflow.id,
				responsibleOrgUnitId: seeded.unit.id,
				title: 'Techniker-Termin',
				requesterAddress: address(replying),
			});

			// The mix, in the order it lands in the INBOX.
			const to = address(inbox);
			const sharedId = `<termin-${token}@kunde.example>`;
			const mails: Planted[] = [
				{
					// Real German quoted-printable (ISO-8859-1) mail; its Message-Id removed.
					label: 'German mail without Message-ID',
					sender: german,
					raw: rehomed(
						corpusMail('james-mime4j/core/src/test/resources/mimetools-testmsgs/german.msg'),
						`"Guenter Deuschle" <${address(german)}>`,
						to,
						['message-id', 'return-path', 'x-pop3-rcpt'],
					),
				},
				{
					label: 'first mail of the shared Message-ID',
					sender: firstOfPair,
					raw: await composeMail({
						from: `"Jürgen Mustermann" <${address(firstOfPair)}>`,
						to,
						messageId: sharedId,
						date: new Date('2026-12-01T09:15:00Z'),
						subject: `Terminanfrage Wartung ${token}`,
						text: 'Guten Tag,\n\nbitte schlagen Sie uns einen Termin für die Wartung vor.\n',
					}),
				},
				{
					label: 'auto-reply',
					sender: autoReplying,
					raw: await composeMail({
						from: address(autoReplying),
						to,
						subject: `Automatische Antwort: Ihre Nachricht ${token}`,
						headers: { 'Auto-Submitted': 'auto-replied' },
						text: 'Ich bin bis zum 3. Januar nicht im Büro.',
					}),
				},
				{
					// Issue #13: such a reply was deleted unseen as an out-of-office answer.
					label: 'reply to a case with an ignore keyword',
					sender: replying,
					raw: await composeMail({
						from: address(replying),
						to,
						subject: `Re: [#${existing.number}] Abwesenheit Ihres Technikers – Rückfrage`,
						text: 'Ihr Techniker war heute nicht da. Wann kommt er?\n',
					}),
				},
				{
					label: 'failing mail',
					sender: failing,
					raw: await composeMail({
						from: address(failing),
						to,
						subject: `Bitte um Rückruf ${FAIL_MARKER} ${token}`,
						text: 'Diese Anfrage lässt den Workflow scheitern.\n',
					}),
				},
				{
					// Real Japanese mail (ISO-2022-JP subject and body); its Message-ID removed.
					label: 'Japanese mail without Message-ID',
					sender: japanese,
					raw: rehomed(
						corpusMail('mimekit/UnitTests/TestData/messages/japanese.txt'),
						`Atsushi Eno <${address(japanese)}>`,
						to,
						['message-id'],
					),
				},
				{
					// Another sender, date, subject and body under the same Message-ID.
					label: 'second mail of the shared Message-ID',
					sender: secondOfPair,
					raw: await composeMail({
						from: `"Özlem Mustermann" <${address(secondOfPair)}>`,
						to,
						messageId: sharedId,
						date: new Date('2026-12-02T14:40:00Z'),
						subject: `Rechnung unklar ${token}`,
						text: 'Hallo,\n\nin der Rechnung fehlt die Position für die Anfahrt.\n',
					}),
				},
			];
			const labelOf = (sender: string) =>
				mails.find((m) => address(m.sender) === sender.toLowerCase())?.label ?? sender;
			for (const m of mails) await deliver(inbox, m.raw, { from: address(m.sender) });

			// The shapes this test is about are really there.
			const planted = await listImap(inbox);
			const bySender = (user: string) => planted.find((m) => m.from === address(user))!;
			expect(planted).toHaveLength(mails.length);
			expect(bySender(german).messageId).toBeUndefined();
			expect(bySender(japanese).messageId).toBeUndefined();
			expect(bySender(firstOfPair).messageId).toBe(sharedId);
			expect(bySender(secondOfPair).messageId).toBe(sharedId);

			const mailbox = await n8n.rest.createCredential(
				`Real traffic ${token} mailbox`,
				'mailCasesMailbox',
				mailboxData(inbox),
			);
			const smtp = await n8n.rest.createCredential(
				`Real traffic ${token} SMTP`,
				'mailCasesSmtp',
				smtpData(inbox),
			);
			const template = loadTemplate('ticket-system', {
				name: `${readTemplate('ticket-system').name} (real traffic ${token})`,
				credentials: { mailCasesMailbox: mailbox, mailCasesSmtp: smtp },
				parameters: {
					[TRIGGER]: {
						options: { pollIntervalSeconds: 5, retryDelaySeconds: 2, maxAttempts: MAX_ATTEMPTS },
					},
					'Create Case From Mail': {
						workflow: seeded.workflow.name,
						inboundWorkplace: seeded.unit.name,
					},
					// #14.5: the quarantine alert goes to a real mailbox of the stack
					'Alert Admin': { to: address(claimUser()) },
				},
			});
			const workflow = await n8n.rest.createWorkflow(withFailingStep(template) as never);
			await n8n.rest.activateWorkflow(workflow);

			const executions = () => n8n.rest.listExecutions(workflow.id);
			const why = async () =>
				`${describeExecutions(await executions())}; INBOX: ${
					(await listImap(inbox)).map((m) => m.subject).join(' | ') || 'empty'
				}`;
			const details = async (list: ExecutionSummary[]) =>
				Promise.all(list.map((e) => n8n.rest.getExecution(e.id, parseFlatted)));
			const reportOf = (e: ExecutionDetails) => outputOf(e, TRIGGER, 2);

			// The end: the INBOX empty, the failing mail's quarantine reported, every run finished.
			const runs = await waitFor(
				async () => {
					const list = await executions();
					if (!list.length || !list.every(finished) || (await listImap(inbox)).length) return;
					const all = await details(list);
					return all.some((e) => reportOf(e).length) ? all : undefined;
				},
				150_000,
				'an empty INBOX, the quarantine report and every execution finished',
				why,
			);

			// Executions: red only where the failing mail is in; the batch ran first, together.
			const mainSenders = (e: ExecutionDetails) => outputOf(e, TRIGGER).map(senderOf);
			const red = runs.filter((e) => e.status === 'error');
			const green = runs.filter((e) => e.status === 'success');
			expect(runs.every((e) => e.mode === 'trigger')).toBe(true);
			for (const e of red) {
				expect({ execution: e.id, error: e.data.resultData.error?.message }).toEqual({
					execution: e.id,
					error: FAIL_ERROR,
				});
				expect(mainSenders(e)).toContain(address(failing));
			}
			const batch = red.filter((e) => mainSenders(e).length > 1);
			expect(batch).toHaveLength(1);
			// Every mail that starts a run was in it: six mails in one execution (the auto-reply is set aside).
			expect(mainSenders(batch[0]).map(labelOf).sort()).toEqual(
				mails
					.filter((m) => m.sender !== autoReplying)
					.map((m) => m.label)
					.sort(),
			);
			// It failed after its work was done: five cases opened and acknowledged, the reply added.
			expect(outputOf(batch[0], 'Create Case From Mail')).toHaveLength(5);
			expect(outputOf(batch[0], 'Send Acknowledgement')).toHaveLength(5);
			expect(outputOf(batch[0], 'Add to Case').map(senderOf)).toEqual([address(replying)]);
			// The batch's failure counts no attempt; the failing mail alone fails MAX_ATTEMPTS times.
			expect(red.filter((e) => e !== batch[0]).map(mainSenders)).toEqual(
				Array.from({ length: MAX_ATTEMPTS }, () => [address(failing)]),
			);
			// Every other mail in exactly one green run, alone; the failing mail in none.
			const greenSenders = green.flatMap(mainSenders).map(labelOf).sort();
			expect(greenSenders).toEqual(
				mails
					.filter((m) => m.sender !== autoReplying && m.sender !== failing)
					.map((m) => m.label)
					.sort(),
			);
			for (const e of green) expect(mainSenders(e).length).toBeLessThanOrEqual(1);
			expect(green.flatMap((e) => outputOf(e, TRIGGER, 1))).toEqual([]);

			// What the trigger put out for the mails of this issue.
			const items = green.flatMap((e) => outputOf(e, TRIGGER));
			const itemOf = (user: string) => items.find((i) => senderOf(i) === address(user))!;
			for (const user of [german, japanese])
				expect(itemOf(user).json.messageKey).toMatch(/^sha256:[0-9a-f]{64}$/);
			expect(itemOf(firstOfPair).json.messageKey).toBe(sharedId);
			expect(itemOf(secondOfPair).json.messageKey).toBe(sharedId);
			expect(itemOf(replying).json.classification).toMatchObject({
				class: 'normal',
				probablyAutomatic: true,
			});

			// The failing mail: in Quarantine with a keyword of its reason, and reported on the third output.
			const reports = green.flatMap(reportOf);
			expect(reports).toHaveLength(1);
			expect(reports[0].json).toMatchObject({
				subject: `Bitte um Rückruf ${FAIL_MARKER} ${token}`,
				from: address(failing),
				messageId: bySender(failing).messageId,
				size: expect.any(Number),
				kind: 'failed',
			});
			expect(String(reports[0].json.reason)).toContain(FAIL_ERROR);
			const quarantined = await listImap(inbox, 'Quarantine');
			expect(quarantined.map((m) => m.from)).toEqual([address(failing)]);
			expect(quarantined[0].flags).toEqual(
				expect.arrayContaining(['$MailCasesQuarantined', '$MailCasesQuarantineFailed']),
			);

			// The auto-reply: set aside in Skipped with its class as keyword, and named in n8n's log.
			const skipped = await listImap(inbox, 'Skipped');
			expect(skipped.map((m) => m.from)).toEqual([address(autoReplying)]);
			expect(skipped[0].flags).toContain('$MailCasesSkippedAutoReply');
			// One line of n8n's log names the mail, its class, reason, folder and keyword.
			const logged = n8n
				.logTail(100_000)
				.split('\n')
				.filter((line) => line.includes(JSON.stringify(skipped[0].subject)));
			const named = (line: string) =>
				[
					'autoReply',
					'Auto-Submitted: auto-replied',
					'"Skipped"',
					'$MailCasesSkippedAutoReply',
				].every((part) => line.includes(part));
			expect({ logged, named: logged.some(named) }).toMatchObject({ named: true });

			// The store: one case per new request, the reply on the existing case, each mail once.
			const cases = await store.cases.list({ workflowId: seeded.workflow.id });
			const caseOf = (user: string) => cases.filter((c) => c.requesterAddress === address(user));
			const requests = [german, japanese, firstOfPair, secondOfPair, failing];
			for (const user of requests)
				expect({ mail: labelOf(address(user)), cases: caseOf(user).length }).toEqual({
					mail: labelOf(address(user)),
					cases: 1,
				});
			expect(caseOf(autoReplying)).toEqual([]);
			expect(cases.map((c) => c.id).sort()).toEqual(
				[existing, ...requests.map((u) => caseOf(u)[0])].map((c) => c.id).sort(),
			);
			const activities = async (caseId: number) => store.activities.listForCase(caseId);
			for (const c of cases) {
				const incoming = (await activities(c.id)).filter((a) => a.kind === 'incoming_mail');
				expect({ case: c.number, incoming: incoming.length }).toEqual({
					case: c.number,
					incoming: 1,
				});
			}
			const reply = (await activities(existing.id)).find((a) => a.kind === 'incoming_mail')!;
			expect(reply.subject).toBe(
				`Re: [#${existing.number}] Abwesenheit Ihres Technikers – Rückfrage`,
			);
			// The second mail under the shared Message-ID is a mail of its own, with a note saying so.
			const secondCase = caseOf(secondOfPair)[0];
			expect(secondCase.title).toBe(`Rechnung unklar ${token}`);
			expect((await activities(secondCase.id)).some((a) => a.kind === 'note')).toBe(true);
			expect((await activities(caseOf(firstOfPair)[0].id)).some((a) => a.kind === 'note')).toBe(
				false,
			);

			// Mail sent: one acknowledgement per new case (the failing mail's went out in the batch run),
			// one notification per case and member, nothing for the reply's or the auto-reply's sender.
			const acknowledged = [german, japanese, firstOfPair, secondOfPair, failing];
			const expected = new Map<string, number>([
				...acknowledged.map((u): [string, number] => [u, 1]),
				[people.agentA, cases.length],
				[people.agentB, cases.length],
			]);
			await waitFor(
				async () => {
					for (const [user, count] of expected)
						if ((await listImap(user)).length < count) return false;
					return true;
				},
				MAIL_MS,
				'the acknowledgements and notifications',
				async () =>
					(
						await Promise.all(
							[...expected.keys()].map(async (u) => `${u}: ${(await listImap(u)).length}`),
						)
					).join(', '),
			);
			// A duplicate would have been handed to Postfix before the last run ended. Postfix's queue
			// manager delivers to the one LMTP destination in the order it queued the mail, so a
			// barrier mail sent now arrives after any such duplicate: once it is there, the counts are final.
			const barrier = `Barriere ${token}`;
			const watched = [...expected.keys(), replying, autoReplying];
			for (const user of watched)
				await sendViaPostfix({ from: 'e2e@example.test', to: address(user), subject: barrier });
			const arrived = new Map<string, ListedMessage[]>();
			await waitFor(
				async () => {
					for (const user of watched) {
						const list = await listImap(user);
						if (!list.some((m) => m.subject === barrier)) return false;
						arrived.set(
							user,
							list.filter((m) => m.subject !== barrier),
						);
					}
					return true;
				},
				MAIL_MS,
				'the barrier mail in every watched mailbox',
			);
			for (const user of acknowledged) {
				const acks = arrived.get(user)!;
				expect({ mail: labelOf(address(user)), acks: acks.length }).toEqual({
					mail: labelOf(address(user)),
					acks: 1,
				});
				expect(CASE_REF.exec(acks[0].subject)?.[1]).toBe(caseOf(user)[0].number);
			}
			for (const agent of [people.agentA, people.agentB]) {
				const numbers = arrived.get(agent)!.map((m) => CASE_REF.exec(m.subject)?.[1]);
				expect(numbers.sort()).toEqual(cases.map((c) => c.number).sort());
			}
			expect(arrived.get(replying)).toEqual([]);
			expect(arrived.get(autoReplying)).toEqual([]);

			await n8n.rest.deactivateWorkflow(workflow);
		}),
		TEST_MS,
	);
}

/** Issue #13's acceptance in its own n8n server of `version` (a fresh embedded store). */
export function describeRealTrafficInN8n(version: N8nVersion): void {
	describe(`real mailbox traffic through the ticket template in a real n8n ${version}`, () => {
		let n8n: N8nServer | undefined;
		const server = (): N8nServer => {
			if (!n8n) throw new Error(`n8n ${version} did not start (see the beforeAll error)`);
			return n8n;
		};
		beforeAll(async () => {
			n8n = await startN8n({ version, tarball: packedTarball(), caFile: getStack().caFile });
		}, 300_000);
		afterAll(async () => {
			await n8n?.stop();
		}, 60_000);
		realTrafficTests({
			version,
			server,
			withLog: (fn) => async () => {
				const s = server();
				try {
					await fn(s);
				} catch (error) {
					(error as Error).message += `\n--- n8n ${version} log (last lines) ---\n${s.logTail(80)}`;
					throw error;
				}
			},
		});
	});
}
