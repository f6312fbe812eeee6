/** The demo's closing report: the case as the store has it, mailboxes, n8n's executions, access. */
import type { Activity, FieldValue, Store } from '../lib/store';
import type { N8nRest } from '../test/e2e/support/n8n-rest';
import { OWNER } from '../test/e2e/support/n8n-server';
import { getStack, listImap, stackUser } from '../test/support/mail-stack';
import { addressOf, DEMO_USERS } from './demo-data';
import type { DemoWorkflow } from './n8n-setup';

const out = (line = '') => process.stdout.write(`${line}\n`);
const show = (v: FieldValue | undefined) =>
	v === null || v === undefined || v === '' ? '(empty)' : String(v);

function activityLine(a: Activity): string {
	if (a.kind === 'field_change')
		return `field change  ${a.fieldName}: ${show(a.oldValue)} → ${show(a.newValue)} (by ${a.changedBy ?? '?'})`;
	const who = a.kind === 'outgoing_mail' ? `to ${a.to.join(', ')}` : `from ${a.from ?? '?'}`;
	return `${a.kind.replace('_', ' ').padEnd(13)} ${who}: "${a.subject ?? ''}"`;
}

async function printCase(store: Store, number: string): Promise<void> {
	const kase = await store.cases.getByNumber(number);
	if (!kase) {
		out(`Case ${number}: not in the store`);
		return;
	}
	const workflow = await store.workflows.get(kase.workflowId);
	const unit = await store.orgUnits.get(kase.responsibleOrgUnitId);
	const contact = kase.contactId ? await store.contacts.get(kase.contactId) : undefined;
	out(`Case ${kase.number} "${kase.title ?? ''}" (status ${kase.status})`);
	out(
		`  workflow ${workflow?.name} · responsible: ${unit?.name} · requester ${kase.requesterAddress}`,
	);
	if (contact)
		out(
			`  contact: ${contact.firstName} ${contact.lastName}, ${contact.company} <${contact.email}>`,
		);
	out(
		`  fields: ${(workflow?.fields ?? []).map((f) => `${f.name} = ${show(kase.fields[f.name])}`).join(' · ')}`,
	);
	out('  activities:');
	(await store.activities.listForCase(kase.id)).forEach((a, i) =>
		out(`    ${i + 1}. ${activityLine(a)}`),
	);
}

export interface ReportInput {
	store: Store;
	rest: N8nRest;
	workflow: DemoWorkflow;
	caseNumber?: string;
	problems: string[];
}

/** Prints what happened; returns false when something the demo expected is missing. */
export async function printReport(input: ReportInput): Promise<boolean> {
	const { store, rest, workflow } = input;
	const problems = [...input.problems];
	out('\n──────── What happened ────────');
	if (input.caseNumber) await printCase(store, input.caseNumber);
	const cases = await store.cases.count();
	out(`Cases in the store: ${cases}`);
	const notified = [];
	for (const agent of DEMO_USERS.agents)
		notified.push(`${addressOf(agent)} ${(await listImap(agent)).length}`);
	out(`Notifications received (Kundenservice): ${notified.join(', ')}`);
	const acks = await listImap(DEMO_USERS.customer);
	out(
		`Acknowledgements to the customer: ${acks.map((m) => `"${m.subject}"`).join(', ') || 'none'}`,
	);
	const inbox = await listImap(DEMO_USERS.inbox);
	out(
		`Support inbox ${addressOf(DEMO_USERS.inbox)}: ${inbox.length ? `${inbox.length} mail(s) left` : 'empty'}`,
	);
	if (inbox.length) problems.push(`${inbox.length} mail(s) left in the support inbox`);
	const executions = await rest.listExecutions(workflow.id);
	const failed = executions.filter((e) => e.status !== 'success');
	out(
		`n8n executions of "${workflow.name}": ${executions.length}, ` +
			(failed.length
				? `${failed.length} not successful (${failed.map((e) => `#${e.id} ${e.status}`).join(', ')})`
				: 'all successful'),
	);
	if (failed.length) problems.push(`${failed.length} execution(s) not successful`);
	if (cases !== 1) problems.push(`expected 1 case, found ${cases}`);
	out(
		problems.length
			? `Result: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`
			: 'Result: everything worked.',
	);
	return problems.length === 0;
}

export function printAccess(
	baseUrl: string,
	workflow: DemoWorkflow,
	storePath: string,
	logFile: string,
): void {
	const stack = getStack();
	const login = (user: string) => `${stackUser(user).address} / ${stackUser(user).password}`;
	out('\n──────── Look at it ────────');
	out(`n8n editor:  ${baseUrl}   login ${OWNER.email} / ${OWNER.password}`);
	out(`workflow:    ${baseUrl}/workflow/${workflow.id}  ("${workflow.name}", active)`);
	out(`credentials: ${workflow.credentials.join(', ')}`);
	out(`case store:  ${storePath} (embedded SQLite)`);
	out(`n8n log:     ${logFile}`);
	out(
		`mail:        IMAP ${stack.host}:${stack.ports.imap} (STARTTLS), SMTP ${stack.host}:${stack.ports.smtp}, CA ${stack.caFile}`,
	);
	for (const user of [DEMO_USERS.inbox, DEMO_USERS.customer, ...DEMO_USERS.agents])
		out(`             ${login(user)}`);
}
