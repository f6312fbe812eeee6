/**
 * The importable workflows in templates/ (issue #7) checked against this package's node
 * descriptions with n8n-workflow's own parameter checks — the checks the editor runs when a
 * workflow is imported and opened: known node types and versions, no unknown or missing
 * parameters, credentials the node declares, connections to existing nodes and outputs. That
 * n8n itself accepts them is proven by the e2e tests (imported and run in a real n8n).
 */
import { NodeHelpers, type INode, type INodeTypeDescription } from 'n8n-workflow';
import { packageNodeTypes } from '../../support/package-nodes';
import {
	TEMPLATE_NAMES,
	loadTemplate,
	readTemplate,
	type TemplateName,
	type TemplateNode,
	type TemplateWorkflow,
} from '../../support/templates';

const PACKAGE_NODES = packageNodeTypes();
/** Core n8n nodes the templates may use (present in every n8n since 1.0 at these versions). */
const CORE_NODES: Record<string, number[]> = {
	'n8n-nodes-base.stickyNote': [1],
};
const STORE_NODES = [
	'mailCase',
	'caseMatch',
	'addToCase',
	'notifyResponsible',
	'createCaseFromMail',
	'forwardMail',
	'mailCasesSendMail',
];

const descriptionOf = (node: TemplateNode): INodeTypeDescription | undefined => {
	const cls = PACKAGE_NODES[node.type];
	return cls ? new cls().description : undefined;
};
const byName = (wf: TemplateWorkflow, name: string) => {
	const node = wf.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node "${name}"`);
	return node;
};
const targets = (wf: TemplateWorkflow, from: string, output: number) =>
	(wf.connections[from]?.main[output] ?? []).map((c) => c.node).sort();
const short = (type: string) => type.split('.')[1];

describe.each(TEMPLATE_NAMES.map((name) => [name]))('template %s', (name: TemplateName) => {
	const wf = readTemplate(name);
	const workNodes = wf.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');

	test("every node type is this package's or a core node, in a version that exists", () => {
		for (const node of wf.nodes) {
			const description = descriptionOf(node);
			const versions = description ? [description.version].flat() : (CORE_NODES[node.type] ?? []);
			expect({ node: node.name, known: versions.includes(node.typeVersion) }).toEqual({
				node: node.name,
				known: true,
			});
		}
		expect(new Set(wf.nodes.map((n) => n.name)).size).toBe(wf.nodes.length);
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(wf.nodes.length);
	});

	test('no parameter issues and no parameter the node does not have (n8n-workflow NodeHelpers)', () => {
		for (const node of wf.nodes) {
			const description = descriptionOf(node);
			if (!description) continue;
			const asNode = { ...node, disabled: false } as unknown as INode;
			const resolved = NodeHelpers.getNodeParameters(
				description.properties,
				node.parameters as INode['parameters'],
				true,
				false,
				asNode,
				description,
			);
			// Every parameter in the file survives resolution: none is unknown or hidden.
			for (const key of Object.keys(node.parameters)) {
				expect({ node: node.name, key, kept: resolved !== null && key in resolved }).toEqual({
					node: node.name,
					key,
					kept: true,
				});
			}
			// …and every option set inside a collection is one the collection offers.
			for (const [key, value] of Object.entries(node.parameters)) {
				const collection = description.properties.find(
					(p) => p.name === key && p.type === 'collection',
				);
				if (!collection || typeof value !== 'object' || value === null) continue;
				const offered = (collection.options ?? []).map((o) => (o as { name: string }).name);
				for (const option of Object.keys(value))
					expect({
						node: node.name,
						option: `${key}.${option}`,
						offered: offered.includes(option),
					}).toEqual({
						node: node.name,
						option: `${key}.${option}`,
						offered: true,
					});
			}
			const issues = NodeHelpers.getNodeParametersIssues(
				description.properties,
				asNode,
				description,
			);
			expect({ node: node.name, issues }).toEqual({ node: node.name, issues: null });
		}
	});

	test('credentials: each one the node declares for its settings, placeholders only, no secrets', () => {
		for (const node of wf.nodes) {
			const description = descriptionOf(node);
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				const declared = description?.credentials?.find((c) => c.name === type);
				expect({ node: node.name, type, declared: Boolean(declared) }).toEqual({
					node: node.name,
					type,
					declared: true,
				});
				const shown = Object.entries(declared?.displayOptions?.show ?? {}).every(
					([param, values]) => (values as unknown[]).includes(node.parameters[param] ?? 'smtp'),
				);
				expect({ node: node.name, type, shown }).toEqual({ node: node.name, type, shown: true });
				expect(ref.id).toMatch(/^REPLACE-/);
				expect(Object.keys(ref).sort()).toEqual(['id', 'name']);
			}
			// A required credential that is shown for the node's settings is there.
			for (const declared of description?.credentials ?? []) {
				const shown = Object.entries(declared.displayOptions?.show ?? {}).every(([param, values]) =>
					(values as unknown[]).includes(node.parameters[param]),
				);
				if (declared.required && shown) expect(node.credentials).toHaveProperty(declared.name);
			}
			// The embedded store is the default: no node names a store credential.
			expect(node.credentials ?? {}).not.toHaveProperty('mailCasesStore');
		}
	});

	test('connections lead from existing outputs to existing nodes; every work node is connected', () => {
		const names = new Set(wf.nodes.map((n) => n.name));
		const reached = new Set<string>();
		for (const [from, { main }] of Object.entries(wf.connections)) {
			const node = byName(wf, from);
			const outputs = descriptionOf(node)?.outputs ?? [];
			expect(main.length).toBeLessThanOrEqual((outputs as unknown[]).length);
			for (const output of main) {
				for (const c of output) {
					expect(names).toContain(c.node);
					expect(c).toMatchObject({ type: 'main', index: 0 });
					reached.add(c.node);
				}
			}
		}
		for (const node of workNodes) {
			if (node.type.endsWith('mailCasesTrigger')) continue;
			expect({ node: node.name, reached: reached.has(node.name) }).toEqual({
				node: node.name,
				reached: true,
			});
		}
	});

	test('sticky notes tell the user what to configure', () => {
		const notes = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(notes.length).toBeGreaterThanOrEqual(3);
		const text = notes.map((n) => String(n.parameters.content)).join('\n');
		expect(text).toMatch(/### Set up/);
		expect(text).toMatch(/Mail Cases Store/);
		expect(text).toMatch(/activate/i);
	});

	test('the trigger ignores automatic mail and removes mail only after a successful run (R-PROC-4, R-PLUS-3, R-PROC-7)', () => {
		const trigger = byName(wf, 'Mail Cases Trigger');
		expect(trigger.parameters.disposition).toBe('delete');
		// Defaults stay in force: out-of-office and loops skipped, the ignore keywords set.
		for (const key of ['autoReplyAction', 'loopAction', 'ignoreSubjectKeywords'])
			expect(trigger.parameters).not.toHaveProperty(key);
		const props = new PACKAGE_NODES[trigger.type]().description.properties;
		expect(props.find((p) => p.name === 'autoReplyAction')?.default).toBe('skip');
		expect(props.find((p) => p.name === 'loopAction')?.default).toBe('skip');
		expect(targets(wf, 'Mail Cases Trigger', 0)).toEqual(['Case Match']);
		expect(targets(wf, 'Case Match', 0)).toEqual(['Add to Case']);
		// #11.7: a stranger needs our signed reference or a reply to our mail (node version 2)
		expect(byName(wf, 'Case Match')).toMatchObject({
			typeVersion: 2,
			parameters: { senderPolicy: ['signedOrParticipant'] },
		});
		expect(byName(wf, 'Add to Case').parameters.applyFields).toBe(true);
		expect(targets(wf, 'Add to Case', 0)).toEqual(['Notify Responsible']);
	});

	test('#14.5 bounces (second output) go into the case history: Mail Case → Record Delivery Failure', () => {
		expect(targets(wf, 'Mail Cases Trigger', 1)).toEqual(['Record Delivery Failure']);
		const node = byName(wf, 'Record Delivery Failure');
		expect(node).toMatchObject({
			type: 'n8n-nodes-mail-cases.mailCase',
			parameters: { resource: 'case', operation: 'recordDeliveryFailure' },
		});
		// the end of its branch: nothing is sent about a bounce
		expect(wf.connections['Record Delivery Failure']).toBeUndefined();
	});

	test('#14.5 quarantine (third output) alerts an admin: loop-safe, to the admin only, with the report', () => {
		expect(targets(wf, 'Mail Cases Trigger', 2)).toEqual(['Alert Admin']);
		const alert = byName(wf, 'Alert Admin');
		const send = byName(wf, 'Notify Responsible');
		expect(alert.type).toBe('n8n-nodes-mail-cases.mailCasesSendMail');
		// through the profile the other sending nodes use (the default profile for system mail)
		expect(alert.credentials).toEqual(send.credentials);
		expect(alert.parameters).toMatchObject({
			sendThrough: send.parameters.sendThrough,
			operation: 'send',
			to: 'REPLACE-admin@example.com',
			emailFormat: 'text',
		});
		const options = alert.parameters.options as Record<string, unknown>;
		// never to the quarantined mail's sender, nor threaded to it, nor on a case
		expect(options.replyTo).toBe('={{ $parameter.to }}');
		for (const key of [
			'cc',
			'bcc',
			'inReplyTo',
			'references',
			'caseNumber',
			'sendOnceKey',
			'replyToIncoming',
		])
			expect({ key, set: key in options }).toEqual({ key, set: false });
		expect(String(alert.parameters.to)).not.toContain('$json');
		// loop-safe: automatic mail opens no case, also when the admin address is the support mailbox
		expect(options.headers).toEqual({
			header: [
				{ name: 'Auto-Submitted', value: 'auto-generated' },
				{ name: 'X-Auto-Response-Suppress', value: 'All' },
			],
		});
		const text = `${String(alert.parameters.subject)}\n${String(alert.parameters.text)}`;
		for (const field of [
			'subject',
			'from',
			'date',
			'messageId',
			'size',
			'reason',
			'kind',
			'mailbox',
		])
			expect({ field, used: text.includes(`$json.${field}`) }).toEqual({ field, used: true });
		const notes = wf.nodes
			.filter((n) => n.type === 'n8n-nodes-base.stickyNote')
			.map((n) => String(n.parameters.content))
			.join('\n');
		expect(notes).toMatch(/### Bounces and quarantine/);
		expect(notes).toMatch(/\*\*Record Delivery Failure\*\*/);
		expect(notes).toMatch(/\*\*Alert Admin\*\*.*REPLACE-admin@example\.com/s);
	});

	test('#14.2 an acknowledgement or notification the server refuses for good is recorded and does not fail the run', () => {
		const optional = wf.nodes.filter((n) =>
			['Send Acknowledgement', 'Notify Responsible', 'Notify Inbound Workplace'].includes(n.name),
		);
		expect(optional.length).toBeGreaterThanOrEqual(1);
		for (const node of optional)
			expect({ node: node.name, options: node.parameters.options }).toMatchObject({
				node: node.name,
				options: { onPermanentRejection: 'recordAndContinue' },
			});
		// an admin address the server refuses is a failed run: nobody would see the alert otherwise
		const alert = byName(wf, 'Alert Admin').parameters.options as Record<string, unknown>;
		expect(alert).not.toHaveProperty('onPermanentRejection');
	});

	test('the store-using nodes get a store credential from loadTemplate when one is given', () => {
		const ref = { id: 'store-1', name: 'PostgreSQL store' };
		const loaded = loadTemplate(name, { store: ref });
		for (const node of loaded.nodes) {
			if (STORE_NODES.includes(short(node.type)))
				expect(node.credentials?.mailCasesStore).toEqual(ref);
			else expect(node.credentials?.mailCasesStore).toBeUndefined();
		}
	});
});

test('template "ticket-system": unmatched mail opens a case, notifies the inbound workplace and is acknowledged once (R-PROC-6b, R-PROC-3, R-PLUS-2)', () => {
	const wf = readTemplate('ticket-system');
	expect(targets(wf, 'Case Match', 1)).toEqual(['Create Case From Mail']);
	expect(targets(wf, 'Create Case From Mail', 0)).toEqual([
		'Notify Inbound Workplace',
		'Send Acknowledgement',
	]);
	expect(targets(wf, 'Create Case From Mail', 1)).toEqual([]);
	const ack = byName(wf, 'Send Acknowledgement');
	expect(ack.parameters).toMatchObject({
		sendThrough: 'smtp',
		to: '={{ $json.case.requesterAddress }}',
		options: {
			// recorded on the case (replies find it) and sent once per incoming mail; #13.1: per
			// its messageKey, which a mail without Message-ID has too
			caseNumber: '={{ $json.case.number }}',
			sendOnceKey: '={{ $json.messageKey }}',
			inReplyTo: '={{ $json.messageId }}',
			headers: { header: [{ name: 'Auto-Submitted', value: 'auto-replied' }] },
		},
	});
	// #11.7: the signed reference Create Case From Mail gives (Send Mail would sign [#number] too)
	expect(String(ack.parameters.subject)).toContain('$json.case.reference');
	const create = byName(wf, 'Create Case From Mail');
	expect(create.parameters).toMatchObject({
		workflow: expect.any(String),
		inboundWorkplace: expect.any(String),
	});
});

test('template "existing-cases-forward": unmatched mail is forwarded, no case is opened (R-PROC-6a)', () => {
	const wf = readTemplate('existing-cases-forward');
	expect(targets(wf, 'Case Match', 1)).toEqual(['Forward']);
	expect(wf.nodes.some((n) => n.type.endsWith('createCaseFromMail'))).toBe(false);
	// Forwarding the original as .eml needs the raw message from the trigger.
	expect(byName(wf, 'Mail Cases Trigger').parameters.options).toMatchObject({ includeRaw: true });
	expect(byName(wf, 'Forward').parameters).toMatchObject({
		forwardAs: 'attachment',
		forwardTo: expect.stringContaining('@'),
	});
});

test('template "exchange-ticket-system" is the ticket system on the Exchange profile (R-EXO-1)', () => {
	const imap = readTemplate('ticket-system');
	const exo = readTemplate('exchange-ticket-system');
	expect(exo.nodes.map((n) => [n.name, n.type])).toEqual(imap.nodes.map((n) => [n.name, n.type]));
	expect(exo.connections).toEqual(imap.connections);
	expect(byName(exo, 'Mail Cases Trigger').parameters.mailboxType).toBe('exchange');
	for (const node of exo.nodes) {
		expect(node.credentials ?? {}).not.toHaveProperty('mailCasesSmtp');
		expect(node.credentials ?? {}).not.toHaveProperty('mailCasesMailbox');
		if ('sendThrough' in node.parameters) expect(node.parameters.sendThrough).toBe('exchange');
	}
	const credentialed = exo.nodes.filter((n) => n.credentials?.mailCasesExchange).map((n) => n.name);
	expect(credentialed.sort()).toEqual(
		[
			'Mail Cases Trigger',
			'Notify Responsible',
			'Notify Inbound Workplace',
			'Send Acknowledgement',
			'Alert Admin',
		].sort(),
	);
});

test('loadTemplate: replaces placeholders, sets parameters and refuses names the template does not have', () => {
	const ref = { id: 'c1', name: 'Real mailbox' };
	const wf = loadTemplate('ticket-system', {
		credentials: { mailCasesMailbox: ref },
		parameters: { 'Mail Cases Trigger': { options: { pollIntervalSeconds: 5 } } },
		name: 'Mine',
	});
	expect(wf.name).toBe('Mine');
	expect(byName(wf, 'Mail Cases Trigger').credentials).toEqual({ mailCasesMailbox: ref });
	expect(byName(wf, 'Mail Cases Trigger').parameters.options).toEqual({ pollIntervalSeconds: 5 });
	expect(() => loadTemplate('ticket-system', { parameters: { Nope: {} } })).toThrow(
		/no node named "Nope"/,
	);
	expect(() => loadTemplate('ticket-system', { credentials: { mailCasesExchange: ref } })).toThrow(
		/no node uses credential type mailCasesExchange/,
	);
});
