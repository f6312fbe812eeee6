/**
 * The Mail Case node run by n8n's real engine (issue #3) against both store backends: an
 * embedded SQLite file (a temp file given through the credential) and the PostgreSQL on
 * 127.0.0.1:5432 (a fresh schema per backend run, dropped afterwards). Covers R-PROC-6b (only
 * active workflows start cases, the requester's contact is found, oldest contact first),
 * R-PROC-3 (the responsible org unit with its members), R-PROC-5 (typed form fields with
 * field-change records) and R-PLUS-7 (SQLite and PostgreSQL behave alike).
 *
 * Dropdowns are loaded the way n8n's server loads them (DynamicNodeParametersService: a
 * LoadOptionsContext of n8n-core for a node with the credential), credential tests the way its
 * credentials service runs them (a CredentialTestContext of n8n-core).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialTestContext, LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IDataObject,
	INodeParameters,
} from 'n8n-workflow';
import { closeAllStores, LATEST_SCHEMA_VERSION, type Store } from '../../lib/store';
import { MailCase } from '../../nodes/MailCase/MailCase.node';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { BACKENDS, pgConnection, StoreSite } from '../integration/store/support/backends';
import {
	runWorkflow,
	shutdownN8nEngine,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';
import { buildAdditionalData, buildWorkflow, prepareWorkflow } from '../support/n8n/execution';
import { NODE, packageCredentialTypes, packageNodeTypes } from '../support/package-nodes';

jest.setTimeout(60_000);

const nodeTypes = {
	...packageNodeTypes(),
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
};
const credentialTypes = packageCredentialTypes();
const CREDENTIAL_ID = 'store-1';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CASE_NUMBER = /^\d{4}-\d{6}$/;

afterAll(async () => {
	await closeAllStores();
	await shutdownN8nEngine();
});

/** The "Mail Cases Store" credential data for a test site. */
function credentialOf(site: StoreSite): ICredentialDataDecryptedObject {
	const c = site.config;
	if (c.kind === 'sqlite') return { kind: 'sqlite', path: c.path ?? '' };
	return {
		kind: 'postgres',
		host: c.host,
		port: c.port ?? 5432,
		database: c.database,
		user: c.user,
		password: c.password ?? '',
		schema: c.schema ?? '',
		ssl: 'off',
	};
}

/** A Mail Case node; with the store credential unless `credential: false`. */
function mailCase(
	name: string,
	parameters: INodeParameters,
	extra: Partial<WorkflowNodeJson> & { credential?: boolean } = {},
): WorkflowNodeJson {
	const { credential = true, ...rest } = extra;
	return {
		name,
		type: NODE('mailCase'),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...(credential
			? { credentials: { mailCasesStore: { id: CREDENTIAL_ID, name: 'Store' } } }
			: {}),
		...rest,
	};
}

/** Start → nodes[0] → nodes[1] → … (each node gets the previous node's items). */
function chain(...nodes: WorkflowNodeJson[]): WorkflowJson {
	const all: WorkflowNodeJson[] = [
		{
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		...nodes,
	];
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { nodes: all, connections, settings: { executionOrder: 'v1' } };
}

function hintsOf(result: Awaited<ReturnType<typeof runWorkflow>>, node: string) {
	return result.run.data.resultData.runData[node]?.[0]?.hints ?? [];
}

/** Free TCP port on 127.0.0.1 (nothing listens there when this returns). */
async function freePort(): Promise<number> {
	return await new Promise<number>((resolve) => {
		const probe = net.createServer().listen(0, '127.0.0.1', () => {
			const port = (probe.address() as net.AddressInfo).port;
			probe.close(() => resolve(port));
		});
	});
}

/**
 * Stand-in for a PostgreSQL server that checks passwords (the test server trusts every local
 * connection, so it never rejects one): it speaks the start of PostgreSQL's protocol — declines
 * TLS, asks for a cleartext password (AuthenticationCleartextPassword) and answers the
 * PasswordMessage with the FATAL 28P01 ErrorResponse a real server sends for a wrong password.
 */
async function passwordCheckingServer() {
	const received: string[] = [];
	const sockets = new Set<net.Socket>();
	const fatal = (code: string, message: string) => {
		const fields = Buffer.concat([
			...[
				['S', 'FATAL'],
				['V', 'FATAL'],
				['C', code],
				['M', message],
			].map(([k, v]) => Buffer.from(`${k}${v}\0`)),
			Buffer.from([0]),
		]);
		const head = Buffer.alloc(5);
		head.write('E', 0);
		head.writeInt32BE(fields.length + 4, 1);
		return Buffer.concat([head, fields]);
	};
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		let buffer = Buffer.alloc(0);
		let startup = true;
		socket.on('data', (chunk) => {
			buffer = Buffer.concat([buffer, chunk]);
			for (;;) {
				if (startup) {
					if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
					const length = buffer.readInt32BE(0);
					const code = buffer.readInt32BE(4);
					buffer = buffer.subarray(length);
					if (code === 80877103) {
						socket.write('N'); // SSLRequest: no TLS here
						continue;
					}
					startup = false;
					const ask = Buffer.alloc(9);
					ask.write('R', 0);
					ask.writeInt32BE(8, 1);
					ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
					socket.write(ask);
					continue;
				}
				if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
				const length = buffer.readInt32BE(1);
				received.push(buffer.subarray(5, length).toString('utf8'));
				buffer = buffer.subarray(1 + length);
				socket.end(fatal('28P01', 'password authentication failed for user "cases_user"'));
				return;
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		received,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** The node's credential test as n8n's credentials service runs it. */
async function testCredential(data: ICredentialDataDecryptedObject) {
	const node = new MailCase();
	const credential: ICredentialsDecrypted = {
		id: 'x',
		name: 'Store',
		type: 'mailCasesStore',
		data,
	};
	const prepared = await prepareWorkflow({ workflow: chain(), nodeTypes });
	const context = new CredentialTestContext(buildAdditionalData(prepared));
	return await node.methods.credentialTest.mailCasesStoreTest.call(context, credential);
}

describe.each(BACKENDS)('Mail Case node on %s (issue #3, R-PLUS-7)', (backend) => {
	let site: StoreSite;
	let store: Store; // a separate connection that reads what the node wrote

	const run = async (workflow: WorkflowJson) =>
		await runWorkflow({
			workflow,
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesStore: { [CREDENTIAL_ID]: credentialOf(site) } },
			timeoutMs: 45_000,
		});

	beforeAll(async () => {
		site = new StoreSite(backend);
		store = await site.open();
	});

	afterAll(async () => {
		await closeAllStores();
		await site.cleanup();
	});

	test('R-PROC-6b, R-PROC-3: a workflow creates a workflow, an org unit, a contact and a case, then reads them back', async () => {
		const result = await run(
			chain(
				mailCase('Create Workflow', {
					resource: 'workflow',
					operation: 'create',
					name: 'Complaints',
					active: true,
					fields: {
						field: [
							{ name: 'Name', type: 'text', optional: false },
							{ name: 'Amount', type: 'number', optional: true },
							{ name: 'Due', type: 'date', optional: true },
							{ name: 'Urgent', type: 'boolean', optional: true },
						],
					},
				}),
				mailCase('Create Unit', {
					resource: 'orgUnit',
					operation: 'create',
					name: 'Support',
					kind: 'org_unit',
					members: 'agent1@example.com, Agent2@Example.com\nagent1@EXAMPLE.com',
				}),
				mailCase('Create Contact', {
					resource: 'contact',
					operation: 'create',
					email: 'Erika.Mustermann@Example.com',
					additionalFields: {
						firstName: 'Erika',
						lastName: 'Mustermann',
						company: 'Müller & Söhne',
					},
				}),
				mailCase('Create Case', {
					resource: 'case',
					operation: 'create',
					workflowId: '={{ $("Create Workflow").item.json.id }}',
					responsibleOrgUnitId: '={{ $("Create Unit").item.json.id }}',
					formFields: {
						field: [
							{ name: 'Name', value: 'Mustermann' },
							{ name: 'amount', value: '1.234,56' },
							{ name: 'Due', value: '29.11.2026' },
							{ name: 'Urgent', value: 'ja' },
						],
					},
					additionalFields: {
						title: 'Beschwerde Lieferung',
						requesterAddress: 'erika.mustermann@example.com',
					},
				}),
				mailCase('Get Case', {
					resource: 'case',
					operation: 'get',
					caseNumber: '={{ $json.number }}',
					includeActivities: true,
				}),
				mailCase('Get Contact', {
					resource: 'contact',
					operation: 'get',
					email: 'ERIKA.MUSTERMANN@example.com',
				}),
				mailCase('List Workflows', { resource: 'workflow', operation: 'getAll' }),
				mailCase('List Units', { resource: 'orgUnit', operation: 'getAll' }),
			),
		);
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');

		const [workflow] = result.outputOf('Create Workflow');
		expect(workflow.pairedItem).toEqual({ item: 0 });
		expect(workflow.json).toMatchObject({
			name: 'Complaints',
			active: true,
			fields: [
				{ name: 'Name', type: 'text', optional: false },
				{ name: 'Amount', type: 'number', optional: true },
				{ name: 'Due', type: 'date', optional: true },
				{ name: 'Urgent', type: 'boolean', optional: true },
			],
		});
		expect(workflow.json.createdAt).toMatch(ISO);

		const [unit] = result.outputOf('Create Unit');
		expect(unit.json).toMatchObject({
			name: 'Support',
			kind: 'org_unit',
			members: ['agent1@example.com', 'Agent2@Example.com'],
		});

		const [contact] = result.outputOf('Create Contact');
		expect(contact.json).toMatchObject({
			email: 'Erika.Mustermann@Example.com',
			firstName: 'Erika',
			lastName: 'Mustermann',
			company: 'Müller & Söhne',
			phone: null,
		});

		const [created] = result.outputOf('Create Case');
		expect(created.pairedItem).toEqual({ item: 0 });
		expect(created.json).toMatchObject({
			workflowId: workflow.json.id,
			responsibleOrgUnitId: unit.json.id,
			// R-PROC-6b: the requester address found the contact (letter case ignored)
			contactId: contact.json.id,
			requesterAddress: 'erika.mustermann@example.com',
			title: 'Beschwerde Lieferung',
			status: 'open',
			// R-PROC-5: text typed in the editor is read by the field's type
			fields: { Name: 'Mustermann', Amount: 1234.56, Due: '2026-11-29', Urgent: true },
		});
		expect(created.json.number).toMatch(CASE_NUMBER);
		expect(created.json.createdAt).toMatch(ISO);
		expect(created.json.updatedAt).toMatch(ISO);

		const [read] = result.outputOf('Get Case');
		expect(read.json).toEqual({ ...created.json, activities: [] });
		expect(result.outputOf('Get Contact').map((i) => i.json)).toEqual([contact.json]);
		expect(result.outputOf('List Workflows').map((i) => i.json)).toEqual([workflow.json]);
		expect(result.outputOf('List Units').map((i) => i.json)).toEqual([unit.json]);

		// what the node wrote is in the store (read on another connection)
		expect(await store.cases.getByNumber(created.json.number as string)).toMatchObject({
			id: created.json.id,
			contactId: contact.json.id,
		});
		// with a credential there is no notice about the embedded file
		expect(hintsOf(result, 'Create Case')).toEqual([]);
	});

	test('R-PROC-5, R-PROC-3: update fields, set responsible, add note, list with filters', async () => {
		const workflow = await store.workflows.create({
			name: 'Orders',
			fields: [
				{ name: 'Name', type: 'text' },
				{ name: 'Amount', type: 'number', optional: true },
			],
		});
		const frontDesk = await store.orgUnits.create({
			name: 'Front desk',
			members: ['desk@example.com'],
		});
		const backOffice = await store.orgUnits.create({
			name: 'Back office',
			kind: 'role',
			members: ['boss@example.com'],
		});
		const target = await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: frontDesk.id,
			fields: { Name: 'Alt' },
		});
		const other = await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: frontDesk.id,
		});

		const result = await run(
			chain(
				mailCase('Update', {
					resource: 'case',
					operation: 'update',
					caseNumber: target.number,
					formFields: { field: [{ name: 'Amount', value: '99,5' }] },
					updateFields: {
						formFieldsJson: '{"Name": "Neu"}',
						status: 'in progress',
						title: 'Rückfrage',
					},
					changedBy: 'desk@example.com',
				}),
				mailCase('Set Responsible', {
					resource: 'case',
					operation: 'setResponsible',
					caseNumber: target.number,
					responsibleOrgUnitId: 'Back office', // by name, as an expression could give it
					changedBy: 'desk@example.com',
				}),
				mailCase('Add Note', {
					resource: 'case',
					operation: 'addNote',
					caseNumber: target.number,
					text: 'Rückruf vereinbart für Dienstag.',
					additionalFields: { author: 'boss@example.com', subject: 'Telefonat' },
				}),
				mailCase('Get', {
					resource: 'case',
					operation: 'get',
					caseNumber: target.number,
					includeActivities: true,
				}),
				mailCase('List Back Office', {
					resource: 'case',
					operation: 'getAll',
					returnAll: true,
					filters: {
						responsibleOrgUnitId: backOffice.id,
						status: 'in progress',
						workflowId: workflow.id,
					},
				}),
				mailCase('List Orders', {
					resource: 'case',
					operation: 'getAll',
					returnAll: false,
					limit: 1,
					filters: { workflowId: 'Orders' },
				}),
			),
		);
		expect(result.error).toBeUndefined();

		const [updated] = result.outputOf('Update');
		expect(updated.json).toMatchObject({
			number: target.number,
			status: 'in progress',
			title: 'Rückfrage',
			fields: { Name: 'Neu', Amount: 99.5 },
		});
		expect(updated.json.changes).toEqual(
			expect.arrayContaining([
				{ field: 'Amount', oldValue: null, newValue: 99.5, changedBy: 'desk@example.com' },
				{ field: 'Name', oldValue: 'Alt', newValue: 'Neu', changedBy: 'desk@example.com' },
				{
					field: '@status',
					oldValue: 'open',
					newValue: 'in progress',
					changedBy: 'desk@example.com',
				},
				{ field: '@title', oldValue: null, newValue: 'Rückfrage', changedBy: 'desk@example.com' },
			]),
		);
		expect(updated.json.changes).toHaveLength(4);

		const [moved] = result.outputOf('Set Responsible');
		expect(moved.json).toMatchObject({
			number: target.number,
			responsibleOrgUnitId: backOffice.id,
		});
		expect(moved.json.changes).toEqual([
			{
				field: '@responsibleOrgUnitId',
				oldValue: frontDesk.id,
				newValue: backOffice.id,
				changedBy: 'desk@example.com',
			},
		]);

		const [note] = result.outputOf('Add Note');
		expect(note.json).toMatchObject({
			caseNumber: target.number,
			caseId: target.id,
			kind: 'note',
			from: 'boss@example.com',
			subject: 'Telefonat',
			text: 'Rückruf vereinbart für Dienstag.',
		});
		expect(note.json.createdAt).toMatch(ISO);

		const [read] = result.outputOf('Get');
		const activities = read.json.activities as IDataObject[];
		expect(activities.map((a) => [a.kind, a.fieldName ?? null])).toEqual([
			...(updated.json.changes as IDataObject[]).map((c) => ['field_change', c.field]),
			['field_change', '@responsibleOrgUnitId'],
			['note', null],
		]);
		expect(activities.every((a) => ISO.test(a.createdAt as string))).toBe(true);

		expect(result.outputOf('List Back Office').map((i) => i.json.number)).toEqual([target.number]);
		// newest first, limited to 1
		expect(result.outputOf('List Orders').map((i) => i.json.number)).toEqual([other.number]);
	});

	test('delete removes the case with its activity list; other cases stay', async () => {
		const workflow = await store.workflows.create({ name: 'Delete test' });
		const unit = await store.orgUnits.create({ name: 'Delete team' });
		const target = await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: unit.id,
		});
		const other = await store.cases.create({
			workflowId: workflow.id,
			responsibleOrgUnitId: unit.id,
		});
		await store.activities.add({ caseId: target.id, kind: 'note', text: 'weg damit' });
		const result = await run(
			chain(
				mailCase('Delete', { resource: 'case', operation: 'delete', caseNumber: target.number }),
			),
		);
		expect(result.error).toBeUndefined();
		expect(result.outputOf('Delete').map((i) => i.json)).toEqual([
			{ deleted: true, id: target.id, number: target.number },
		]);
		expect(await store.cases.getByNumber(target.number)).toBeUndefined();
		expect(await store.activities.listForCase(target.id)).toEqual([]);
		expect(await store.cases.getByNumber(other.number)).toMatchObject({ id: other.id });

		const again = await run(
			chain(
				mailCase('Delete', { resource: 'case', operation: 'delete', caseNumber: target.number }),
			),
		);
		expect(again.error?.message).toBe(`Case ${target.number} does not exist`);
	});

	test('R-PROC-6b: an inactive workflow cannot start a case; the error names it; activated again it can', async () => {
		const workflow = await store.workflows.create({ name: 'Seasonal', fields: [] });
		const unit = await store.orgUnits.create({ name: 'Seasonal team' });
		const create = mailCase('Create Case', {
			resource: 'case',
			operation: 'create',
			workflowId: workflow.id,
			responsibleOrgUnitId: unit.id,
		});

		const failed = await run(
			chain(
				mailCase('Deactivate', {
					resource: 'workflow',
					operation: 'deactivate',
					workflowId: 'Seasonal',
				}),
				create,
			),
		);
		expect(failed.outputOf('Deactivate')[0].json).toMatchObject({ id: workflow.id, active: false });
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toContain(`Workflow ${workflow.id} ("Seasonal") is inactive`);
		expect(failed.nodeError('Create Case')?.message).toContain(
			'only active workflows can start cases',
		);
		expect(await store.cases.list({ workflowId: workflow.id })).toEqual([]);

		const ok = await run(
			chain(
				mailCase('Activate', {
					resource: 'workflow',
					operation: 'activate',
					workflowId: workflow.id,
				}),
				create,
			),
		);
		expect(ok.error).toBeUndefined();
		expect(ok.outputOf('Activate')[0].json).toMatchObject({ active: true });
		expect(ok.outputOf('Create Case')[0].json).toMatchObject({
			workflowId: workflow.id,
			status: 'open',
		});
	});

	test('workflow update and org unit update change what they name; a missing id is named', async () => {
		const workflow = await store.workflows.create({ name: 'Draft process', active: false });
		const unit = await store.orgUnits.create({ name: 'Draft team', members: ['a@example.com'] });
		const result = await run(
			chain(
				mailCase('Update Workflow', {
					resource: 'workflow',
					operation: 'update',
					workflowId: workflow.id,
					updateFields: {
						name: 'Final process',
						active: true,
						fields: { field: [{ name: 'Order No', type: 'number', optional: false }] },
					},
				}),
				mailCase('Update Unit', {
					resource: 'orgUnit',
					operation: 'update',
					orgUnitId: unit.id,
					updateFields: { kind: 'role', members: 'b@example.com; c@example.com' },
				}),
				mailCase('Members Of', {
					resource: 'orgUnit',
					operation: 'getAll',
					filters: { member: 'C@EXAMPLE.COM' },
				}),
				mailCase('Active', { resource: 'workflow', operation: 'getAll', activeOnly: true }),
				mailCase('Missing', { resource: 'workflow', operation: 'activate', workflowId: 999_999 }),
			),
		);
		expect(result.outputOf('Update Workflow')[0].json).toMatchObject({
			id: workflow.id,
			name: 'Final process',
			active: true,
			fields: [{ name: 'Order No', type: 'number', optional: false }],
		});
		expect(result.outputOf('Update Unit')[0].json).toMatchObject({
			id: unit.id,
			name: 'Draft team',
			kind: 'role',
			members: ['b@example.com', 'c@example.com'],
		});
		expect(result.outputOf('Members Of').map((i) => i.json.id)).toEqual([unit.id]);
		expect(result.outputOf('Active').map((i) => i.json.name)).toContain('Final process');
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Workflow 999999 does not exist');
	});

	test('contacts: create, update, get the oldest of several with one address, list, delete', async () => {
		const older = await store.contacts.create({ email: 'shared@example.com', lastName: 'Older' });
		const newer = await store.contacts.create({ email: 'SHARED@example.com', lastName: 'Newer' });
		const result = await run(
			chain(
				mailCase('Create', {
					resource: 'contact',
					operation: 'create',
					email: 'max@example.com',
					additionalFields: { firstName: 'Max', phone: '+49 30 1234' },
				}),
				mailCase('Update', {
					resource: 'contact',
					operation: 'update',
					contactId: '={{ $json.id }}',
					updateFields: { company: 'Beispiel GmbH', phone: '' },
				}),
				mailCase('Oldest', { resource: 'contact', operation: 'get', email: 'Shared@Example.com' }),
				mailCase('All Matches', {
					resource: 'contact',
					operation: 'get',
					email: 'shared@example.com',
					allMatches: true,
				}),
				// executeOnce: "All Matches" emits two items
				mailCase(
					'List',
					{ resource: 'contact', operation: 'getAll', returnAll: true },
					{ executeOnce: true },
				),
				mailCase(
					'Delete',
					{ resource: 'contact', operation: 'delete', contactId: 'max@example.com' },
					{ executeOnce: true },
				),
			),
		);
		expect(result.error).toBeUndefined();
		const [created] = result.outputOf('Create');
		expect(created.json).toMatchObject({
			email: 'max@example.com',
			firstName: 'Max',
			phone: '+49 30 1234',
		});
		expect(result.outputOf('Update')[0].json).toMatchObject({
			id: created.json.id,
			company: 'Beispiel GmbH',
			phone: null,
		});
		// R-PROC-6b: several contacts share the address → the oldest one
		expect(result.outputOf('Oldest').map((i) => i.json.id)).toEqual([older.id]);
		expect(result.outputOf('All Matches').map((i) => i.json.id)).toEqual([older.id, newer.id]);
		expect(result.outputOf('All Matches').map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
		]);
		expect(result.outputOf('List').map((i) => i.json.id)).toEqual(
			expect.arrayContaining([older.id, newer.id, created.json.id]),
		);
		expect(result.outputOf('Delete')[0].json).toEqual({
			deleted: true,
			id: created.json.id,
			email: 'max@example.com',
		});
		expect(await store.contacts.get(created.json.id as number)).toBeUndefined();
	});

	test('a missing case number fails with the number named', async () => {
		const result = await run(
			chain(
				mailCase('Get Case', { resource: 'case', operation: 'get', caseNumber: '1999-000042' }),
			),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Case 1999-000042 does not exist');
		expect(result.nodeError('Get Case')?.message).toBe('Case 1999-000042 does not exist');
	});

	test('continueOnFail: a failing item becomes an error item paired with its input, the others go on', async () => {
		const workflow = await store.workflows.create({ name: 'Continue test' });
		const unit = await store.orgUnits.create({ name: 'Continue team' });
		const a = await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id });
		const b = await store.cases.create({ workflowId: workflow.id, responsibleOrgUnitId: unit.id });
		const result = await run(
			chain(
				{
					name: 'Items',
					type: 'test.emitItems',
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						items: JSON.stringify([{ n: a.number }, { n: '1999-000077' }, { n: b.number }]),
					},
				},
				mailCase(
					'Get Case',
					{ resource: 'case', operation: 'get', caseNumber: '={{ $json.n }}' },
					{ onError: 'continueRegularOutput' },
				),
			),
		);
		expect(result.status).toBe('success');
		const out = result.outputOf('Get Case');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toMatchObject({ id: a.id, number: a.number });
		expect(out[1].json).toEqual({
			n: '1999-000077',
			error: 'Case 1999-000077 does not exist',
			code: 'NOT_FOUND',
		});
		expect(out[2].json).toMatchObject({ id: b.id, number: b.number });
	});

	test('R-PROC-6b: dropdowns come from the store; a case is started from ACTIVE workflows only', async () => {
		const active = await store.workflows.create({
			name: 'Dropdown active',
			fields: [{ name: 'Ref', type: 'text' }],
		});
		const inactive = await store.workflows.create({ name: 'Dropdown inactive', active: false });
		const unit = await store.orgUnits.create({
			name: 'Dropdown unit',
			kind: 'role',
			members: ['x@example.com'],
		});
		const contact = await store.contacts.create({
			email: 'dropdown@example.com',
			firstName: 'Dora',
			company: 'ACME',
		});

		// as n8n's DynamicNodeParametersService: a one-node workflow with the node's credential
		const node = mailCase('Mail Case', { resource: 'case', operation: 'create' });
		const prepared = await prepareWorkflow({
			workflow: { nodes: [node], connections: {} },
			nodeTypes,
			credentialTypes,
			credentials: { mailCasesStore: { [CREDENTIAL_ID]: credentialOf(site) } },
		});
		const wf = buildWorkflow(prepared, false);
		const additionalData = {
			...buildAdditionalData(prepared),
			currentNodeParameters: node.parameters,
		};
		const context = new LoadOptionsContext(
			wf,
			wf.getNode('Mail Case')!,
			additionalData,
			'workflowId',
		);
		const methods = new MailCase().methods.loadOptions;

		const startable = await methods.getActiveWorkflows.call(context);
		const values = startable.map((o) => o.value);
		expect(values).toContain(active.id);
		expect(values).not.toContain(inactive.id);
		const all = await store.workflows.list();
		expect(startable.map((o) => o.name)).toEqual(all.filter((w) => w.active).map((w) => w.name));
		expect(startable.find((o) => o.value === active.id)?.description).toBe('Fields: Ref');

		const every = await methods.getWorkflows.call(context);
		expect(every.map((o) => o.value)).toEqual(all.map((w) => w.id));
		expect(every.find((o) => o.value === inactive.id)?.name).toBe('Dropdown inactive (inactive)');

		const units = await methods.getOrgUnits.call(context);
		expect(units.find((o) => o.value === unit.id)).toEqual({
			name: 'Dropdown unit (role)',
			value: unit.id,
			description: 'x@example.com',
		});
		const contacts = await methods.getContacts.call(context);
		expect(contacts.find((o) => o.value === contact.id)?.name).toBe(
			'Dora, ACME <dropdown@example.com>',
		);
	});

	test('credential test: connects and reports the schema version and how many cases exist', async () => {
		const count = await store.countCases();
		const result = await testCredential(credentialOf(site));
		const where =
			backend === 'sqlite'
				? `SQLite store ${(site.config as { path: string }).path}`
				: `PostgreSQL store ${pgConnection().user}@${pgConnection().host}:${pgConnection().port}/${pgConnection().database} (schema ${site.schema})`;
		expect(result).toEqual({
			status: 'OK',
			message: `Connected to ${where}: schema version ${LATEST_SCHEMA_VERSION}, ${count} ${count === 1 ? 'case' : 'cases'}`,
		});
		expect(count).toBeGreaterThan(1);
	});
});

describe('Mail Case store credential test failures', () => {
	const secret = 'Very-Secret-Pw-42';

	test('PostgreSQL with a wrong password: the rejection is reported, the password is not', async () => {
		const server = await passwordCheckingServer();
		try {
			const result = await testCredential({
				kind: 'postgres',
				host: '127.0.0.1',
				port: server.port,
				database: 'cases',
				user: 'cases_user',
				password: secret,
				schema: 'mail_cases',
				ssl: 'off',
			});
			expect(server.received).toEqual([secret]); // the server did check this password
			expect(result.status).toBe('Error');
			expect(result.message).toBe(
				`PostgreSQL store cases_user@127.0.0.1:${server.port}/cases (schema mail_cases): the server rejected the user name or password; could not open the store and read the schema version of the store`,
			);
			expect(result.message).not.toContain(secret);
		} finally {
			await server.close();
		}
	});

	test('PostgreSQL on a port where nothing listens: connection refused, naming host and port', async () => {
		const port = await freePort();
		const result = await testCredential({
			kind: 'postgres',
			host: '127.0.0.1',
			port,
			database: 'test',
			user: 'cases_user',
			password: secret,
			schema: 'mail_cases',
			ssl: 'off',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`cases_user@127.0.0.1:${port}/test`);
		expect(result.message).toContain('the server refused the connection');
		expect(result.message).not.toContain(secret);
	});

	test('SQLite file that is not a database: says so and names the file', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mail-case-cred-'));
		try {
			const path = join(dir, 'not-a-db.sqlite');
			writeFileSync(path, 'this is a text file, not SQLite '.repeat(200));
			const result = await testCredential({ kind: 'sqlite', path });
			expect(result.status).toBe('Error');
			expect(result.message).toContain(`SQLite store ${path}`);
			expect(result.message).toMatch(/not a database/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('Mail Case node without a store credential', () => {
	test('uses the embedded SQLite file in the n8n user folder and says where it is (notice)', async () => {
		const result = await runWorkflow({
			workflow: chain(
				mailCase(
					'Create Workflow',
					{ resource: 'workflow', operation: 'create', name: 'Embedded', active: true },
					{ credential: false },
				),
				mailCase('List', { resource: 'workflow', operation: 'getAll' }, { credential: false }),
			),
			nodeTypes,
			credentialTypes,
		});
		expect(result.error).toBeUndefined();
		// the harness points N8N_USER_FOLDER at a fresh temp folder for this test file
		const path = join(process.env.N8N_USER_FOLDER!, '.n8n', 'mail-cases.sqlite');
		expect(existsSync(path)).toBe(true);
		expect(result.outputOf('List').map((i) => i.json.name)).toEqual(['Embedded']);
		const hints = hintsOf(result, 'Create Workflow');
		expect(hints).toEqual([
			{
				message: `No Mail Cases Store credential: cases are kept in the embedded SQLite file ${path}. Add a Mail Cases Store credential to choose another file or a shared PostgreSQL.`,
				type: 'info',
				location: 'outputPane',
			},
		]);
	});
});
