/**
 * #11.2 bounded work, end to end in n8n's real engine: Mail Cases Trigger (IMAP, real Dovecot) →
 * Create Case from Mail with a real SQLite store.
 *
 * - An HTML-only mail nested 50,000 `<div>`s deep (html-to-text used to overflow the stack on it,
 *   so Create Case failed on every attempt) opens a case whose fields come from its Field lines.
 * - A mail with more Field lines than MAX_FIELD_LINES opens a case from the first ones and says
 *   in `fields.notes` that the others were ignored.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { MAX_FIELD_LINES } from '../../lib/mail/limits';
import { closeAllStores, getStore, type Store } from '../../lib/store';
import { mailboxCredentialData } from '../support/credential-data';
import { claimUser, composeMail, deliver, listImap } from '../support/mail-stack';
import {
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	type WorkflowJson,
} from '../support/n8n';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';
import { sqliteTestStore } from '../support/test-stores';

jest.setTimeout(180_000);

const testStore = sqliteTestStore('mc_hostile_html');
const handles: TriggerHandle[] = [];
let store: Store;

beforeAll(async () => {
	store = await getStore(testStore.config);
	await store.workflows.create({
		name: 'Reklamation',
		fields: [
			{ name: 'Name', type: 'text' },
			{ name: 'Betrag', type: 'number', optional: true },
		],
	});
	await store.orgUnits.create({ name: 'Support', kind: 'org_unit', members: [] });
});
afterEach(async () => {
	for (const handle of handles.splice(0)) await handle.close();
});
afterAll(async () => {
	await closeAllStores();
	await testStore.drop();
	await shutdownN8nEngine();
});

function workflow(): WorkflowJson {
	const parameters: INodeParameters = {
		options: { pollIntervalSeconds: 1, retryDelaySeconds: 600 },
	};
	return {
		nodes: [
			{
				name: 'Mail',
				type: NODE('mailCasesTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { mailCasesMailbox: { id: 'box', name: 'Box' } },
			},
			{
				name: 'Create Case',
				type: NODE('createCaseFromMail'),
				typeVersion: 1,
				position: [300, 0],
				parameters: { workflow: 'Reklamation', inboundWorkplace: 'Support' },
				credentials: { mailCasesStore: { id: 'store', name: 'Store' } },
			},
		],
		connections: { Mail: { main: [[{ node: 'Create Case', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Delivers `mail` to a fresh mailbox and runs the workflow on it once. */
async function createCaseFrom(mail: Parameters<typeof composeMail>[0]) {
	const inbox = claimUser();
	await deliver(inbox, await composeMail(mail));
	const handle = await startTrigger({
		workflow: workflow(),
		nodeTypes: packageNodeTypes(),
		credentialTypes: packageCredentialTypes(),
		credentials: {
			mailCasesMailbox: { box: mailboxCredentialData(inbox) },
			mailCasesStore: { store: testStore.credential },
		},
		triggerNodeName: 'Mail',
		timeoutMs: 120_000,
	});
	handles.push(handle);
	const [run] = await handle.waitForExecutions(1, 150_000);
	return { run, inbox };
}

test('#11.2 an HTML-only mail nested 50,000 <div>s deep opens a case with its Field lines', async () => {
	const depth = 50_000;
	// no text part: the Field lines come from the HTML, one paragraph each
	const html = `${'<div>'.repeat(depth)}<p>Guten Tag,</p><p>Name = Tief</p><p>Betrag = 12,50</p>${'</div>'.repeat(depth)}`;
	const messageId = '<deep-html-1@kunde.test>';
	const { run, inbox } = await createCaseFrom({
		from: 'fremd@kunde.test',
		to: 'reklamation@example.test',
		subject: 'Tief verschachtelt',
		messageId,
		html,
	});
	expect(run.status).toBe('success');
	const [created] = run.outputOf('Create Case', 0);
	const c = created.json.case as IDataObject;
	expect(c.fields).toEqual({ Name: 'Tief', Betrag: 12.5 });
	expect(created.json.fields).toMatchObject({ requested: { Name: 'Tief', Betrag: 12.5 } });

	const stored = await store.cases.requireByNumber(c.number as string);
	const [activity] = await store.activities.listForCase(stored.id);
	expect(activity).toMatchObject({ kind: 'incoming_mail', messageId: messageId.slice(1, -1) });
	// processed: the mail left the inbox
	expect(await listImap(inbox)).toEqual([]);
});

test('#11.2 a mail with more Field lines than MAX_FIELD_LINES opens a case from the first ones, with a note', async () => {
	const lines = Array.from({ length: MAX_FIELD_LINES + 50 }, (_, i) => `Name = Zeile ${i + 1}`);
	const { run } = await createCaseFrom({
		from: 'fremd@kunde.test',
		to: 'reklamation@example.test',
		subject: 'Viele Zeilen',
		messageId: '<many-lines-1@kunde.test>',
		text: lines.join('\n'),
	});
	expect(run.status).toBe('success');
	const [created] = run.outputOf('Create Case', 0);
	expect((created.json.case as IDataObject).fields).toEqual({ Name: `Zeile ${MAX_FIELD_LINES}` });
	expect((created.json.fields as IDataObject).notes).toEqual([
		`Only the first ${MAX_FIELD_LINES} of ${MAX_FIELD_LINES + 50} Field lines were read (limit ${MAX_FIELD_LINES}); the others were ignored.`,
	]);
});
