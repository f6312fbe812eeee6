/**
 * n8n's internal REST API (/rest), as the editor uses it: cookie login, credentials (create, the
 * dialog's "Test" button), workflows (create, activate), executions. Covers the differences
 * between n8n 1.123 and 2.41 that the tests meet.
 */
import { randomUUID } from 'node:crypto';

import type { N8nVersion } from './harness-folder';

/** Sent as the editor does; n8n binds the auth cookie to it. */
const BROWSER_ID = randomUUID();
const REQUEST_TIMEOUT_MS = 60_000;

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished?: boolean;
	startedAt: string;
	stoppedAt?: string;
}

/** What an execution's run data looks like once parsed (only the parts the tests read). */
export interface ExecutionRunData {
	resultData: {
		error?: { message: string; node?: { name: string } };
		lastNodeExecuted?: string;
		runData: Record<
			string,
			Array<{
				error?: { message: string };
				data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
			}>
		>;
	};
}

export interface ExecutionDetails extends ExecutionSummary {
	data: ExecutionRunData;
}

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	id?: string;
}

export interface WorkflowDefinition {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: 'main'; index: number }>> }
	>;
	settings?: Record<string, unknown>;
}

export interface CreatedWorkflow {
	id: string;
	versionId: string;
	active: boolean;
}

export class N8nRest {
	private cookie = '';

	constructor(
		readonly baseUrl: string,
		readonly version: N8nVersion,
	) {}

	/** A REST call; returns the `data` member of n8n's `{ data }` envelope (or the body without one). */
	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				accept: 'application/json',
				'browser-id': BROWSER_ID,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
		});
		const text = await res.text();
		if (!res.ok) {
			throw new Error(
				`n8n ${this.version}: ${method} ${path} answered ${res.status}: ${text.slice(0, 800)}`,
			);
		}
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		if (!text) return undefined as T;
		const json = JSON.parse(text) as unknown;
		if (json && typeof json === 'object' && !Array.isArray(json) && 'data' in json)
			return (json as { data: T }).data;
		return json as T;
	}

	/** First start only: creates the instance owner. */
	async setupOwner(owner: {
		email: string;
		firstName: string;
		lastName: string;
		password: string;
	}): Promise<void> {
		await this.request('POST', '/rest/owner/setup', owner);
	}

	/** Logs in; the auth cookie is kept for every further call. */
	async login(owner: { email: string; password: string }): Promise<void> {
		await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
	}

	/** POST /rest/credentials: saves a credential (encrypted by n8n), returns its id. */
	async createCredential(
		name: string,
		type: string,
		data: Record<string, unknown>,
	): Promise<{ id: string; name: string }> {
		const created = await this.request<{ id: string; name: string }>('POST', '/rest/credentials', {
			name,
			type,
			data,
		});
		return { id: String(created.id), name: created.name };
	}

	/**
	 * What the credential dialog's "Test" button sends: the saved credential's id with the data
	 * shown in the dialog; n8n runs the `testedBy` method of a node that uses the type.
	 */
	async testCredential(
		credential: { id: string; name: string },
		type: string,
		data: Record<string, unknown>,
	): Promise<CredentialTestResult> {
		return this.request<CredentialTestResult>('POST', '/rest/credentials/test', {
			credentials: { id: credential.id, name: credential.name, type, data },
		});
	}

	async createWorkflow(workflow: WorkflowDefinition): Promise<CreatedWorkflow> {
		const nodes = workflow.nodes.map((n) => ({ id: n.id ?? randomUUID(), ...n }));
		const created = await this.request<{ id: string; versionId: string; active: boolean }>(
			'POST',
			'/rest/workflows',
			{
				settings: { executionOrder: 'v1' },
				...workflow,
				nodes,
				active: false,
			},
		);
		return { id: String(created.id), versionId: created.versionId, active: created.active };
	}

	/** Activates (2.x: publishes) a saved workflow; its triggers start listening. Same route in 1.123 and 2.41. */
	async activateWorkflow(workflow: CreatedWorkflow): Promise<void> {
		const result = await this.request<{ active: boolean }>(
			'POST',
			`/rest/workflows/${workflow.id}/activate`,
			{ versionId: workflow.versionId },
		);
		if (!result.active)
			throw new Error(
				`n8n ${this.version} did not activate workflow ${workflow.id}: ${JSON.stringify(result).slice(0, 400)}`,
			);
	}

	async deactivateWorkflow(workflow: CreatedWorkflow): Promise<void> {
		await this.request('POST', `/rest/workflows/${workflow.id}/deactivate`, {});
	}

	/** Executions of a workflow, newest first (up to 100, n8n's page limit). */
	async listExecutions(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.request<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?filter=${filter}&limit=100`,
		);
		return page.results.map((e) => ({ ...e, id: String(e.id), workflowId: String(e.workflowId) }));
	}

	/** One execution with its run data (n8n stores it serialised with `flatted`). */
	async getExecution(
		id: string,
		parseFlatted: (text: string) => unknown,
	): Promise<ExecutionDetails> {
		const e = await this.request<ExecutionSummary & { data: string | ExecutionRunData }>(
			'GET',
			`/rest/executions/${id}`,
		);
		const data = typeof e.data === 'string' ? (parseFlatted(e.data) as ExecutionRunData) : e.data;
		return { ...e, id: String(e.id), workflowId: String(e.workflowId), data };
	}
}
