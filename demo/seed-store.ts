/**
 * Seeds the embedded SQLite case store that the nodes inside n8n use (no store credential:
 * `<n8n user folder>/.n8n/mail-cases.sqlite`). The demo process opens the same file; the store
 * runs in WAL mode with `BEGIN IMMEDIATE` writes, so two processes may use it at once.
 */
import { defaultSqlitePath, getStore, type Store } from '../lib/store';
import { CASE_WORKFLOW, CONTACTS, ORG_UNITS } from './demo-data';

/** The file the nodes inside n8n open: the same rule, with n8n's N8N_USER_FOLDER. */
export function embeddedStorePath(n8nUserFolder: string): string {
	return defaultSqlitePath({ N8N_USER_FOLDER: n8nUserFolder });
}

export interface Seeded {
	store: Store;
	path: string;
	summary: string[];
}

export async function seedStore(n8nUserFolder: string): Promise<Seeded> {
	const file = embeddedStorePath(n8nUserFolder);
	const store = await getStore({ kind: 'sqlite', path: file });
	const workflow = await store.workflows.create(CASE_WORKFLOW);
	const units = [];
	for (const unit of ORG_UNITS) units.push(await store.orgUnits.create(unit));
	const contacts = [];
	for (const contact of CONTACTS) contacts.push(await store.contacts.create(contact));
	return {
		store,
		path: file,
		summary: [
			`case workflow "${workflow.name}" with fields ${workflow.fields.map((f) => f.name).join(', ')}`,
			...units.map((u) => `org unit "${u.name}": ${u.members.join(', ')}`),
			...contacts.map((c) => `contact ${c.firstName} ${c.lastName} <${c.email}> (${c.company})`),
		],
	};
}
