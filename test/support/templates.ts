/**
 * The importable workflows of templates/ as the tests, the demo and the browser check use them:
 * read from disk, credential placeholders replaced by real credentials, and a few parameters
 * (workflow name, inbound workplace, addresses) set as a user would set them after import.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const TEMPLATES_DIR = path.resolve(__dirname, '..', '..', 'templates');

/** The file names (without .json) of the templates in templates/. */
export const TEMPLATE_NAMES = [
	'ticket-system',
	'existing-cases-forward',
	'exchange-ticket-system',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Nodes of this package that read or write the case store (credential mailCasesStore). */
const STORE_NODE_TYPES = [
	'caseMatch',
	'addToCase',
	'notifyResponsible',
	'createCaseFromMail',
	'forwardMail',
	'mailCase',
	'contactLookup',
	'mailCasesSendMail', // Record on Case / Send Once Per
];

export interface CredentialRef {
	id: string;
	name: string;
}

export interface TemplateNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
	[key: string]: unknown;
}

export interface TemplateWorkflow {
	name: string;
	nodes: TemplateNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: 'main'; index: number }>> }
	>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export function templatePath(name: TemplateName): string {
	return path.join(TEMPLATES_DIR, `${name}.json`);
}

/** The template exactly as it is shipped. */
export function readTemplate(name: TemplateName): TemplateWorkflow {
	return JSON.parse(readFileSync(templatePath(name), 'utf8')) as TemplateWorkflow;
}

export interface TemplateSetup {
	/** Real credentials by credential type (mailCasesMailbox, mailCasesSmtp, mailCasesExchange). */
	credentials?: Partial<Record<string, CredentialRef>>;
	/**
	 * A "Mail Cases Store" credential for every node that uses the store. The templates ship
	 * without one: their nodes use the embedded SQLite file in the n8n user folder.
	 */
	store?: CredentialRef;
	/** Parameters to set per node name; an `options` object is merged into the template's. */
	parameters?: Record<string, Record<string, unknown>>;
	/** Workflow name; default: the template's. */
	name?: string;
}

/**
 * A template ready for `POST /rest/workflows` or the in-process engine: credentials replaced,
 * parameters set. Unknown node names in `parameters` and credential types no node uses are
 * errors, so a renamed template node cannot silently leave a test without effect.
 */
export function loadTemplate(name: TemplateName, setup: TemplateSetup = {}): TemplateWorkflow {
	const workflow = readTemplate(name);
	const used = new Set<string>();
	for (const node of workflow.nodes) {
		if (!node.credentials) continue;
		for (const type of Object.keys(node.credentials)) {
			if (!setup.credentials || !(type in setup.credentials)) continue;
			used.add(type);
			node.credentials[type] = { ...setup.credentials[type]! };
		}
	}
	if (setup.store) {
		for (const node of workflow.nodes) {
			if (!STORE_NODE_TYPES.some((t) => node.type.endsWith(`.${t}`))) continue;
			node.credentials = { ...node.credentials, mailCasesStore: { ...setup.store } };
		}
	}
	for (const type of Object.keys(setup.credentials ?? {})) {
		if (!used.has(type))
			throw new Error(
				`template ${name}: no node uses credential type ${type}${type === 'mailCasesStore' ? ' (a store credential goes in `store`)' : ''}`,
			);
	}
	for (const [nodeName, parameters] of Object.entries(setup.parameters ?? {})) {
		const node = workflow.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`template ${name}: no node named "${nodeName}"`);
		const { options, ...rest } = parameters;
		Object.assign(node.parameters, rest);
		if (options !== undefined) {
			node.parameters.options = {
				...((node.parameters.options as Record<string, unknown>) ?? {}),
				...(options as Record<string, unknown>),
			};
		}
	}
	if (setup.name) workflow.name = setup.name;
	return workflow;
}
