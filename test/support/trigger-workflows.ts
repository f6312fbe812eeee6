/**
 * Helpers for workflow tests of the Mail Cases Trigger against the real Dovecot (#13 items 4
 * and 7): a mailbox profile of a stack user, a trigger → node workflow, planting mail, waiting
 * for a mailbox state, and recording what the trigger writes into n8n's log.
 */
import type { INodeParameters } from 'n8n-workflow';
import { composeMail, deliver, getStack, stackUser } from './mail-stack';
import {
	shutdownN8nEngine,
	startTrigger,
	type CredentialsMap,
	type HarnessInput,
	type NodeTypeMap,
	type TriggerHandle,
	type WorkflowJson,
} from './n8n';
import { Container, coreRequire, initN8nEngine } from './n8n/engine';
import { NODE, packageCredentialTypes } from './package-nodes';

/** The mailbox profile (credential data) of a stack user, over implicit TLS. */
export function mailboxCredential(user: string, protocol: 'imap' | 'pop3') {
	const stack = getStack();
	const u = stackUser(user);
	return {
		protocol,
		host: stack.host,
		tls: 'implicit',
		port: protocol === 'imap' ? stack.ports.imaps : stack.ports.pop3s,
		user: u.address,
		password: u.password,
		folder: 'INBOX',
		caCertificate: stack.caPem,
	};
}

/**
 * Trigger "Mail" → `then` (its first output); the other outputs left open. The profile is the
 * credential `box` (mailbox), or `exo` with `mailboxType: 'exchange'`.
 */
export function triggerThen(
	parameters: INodeParameters,
	then: Array<{ name: string; type: string; parameters?: INodeParameters }>,
): WorkflowJson {
	const nodes: WorkflowJson['nodes'] = [
		{
			name: 'Mail',
			type: NODE('mailCasesTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials:
				parameters.mailboxType === 'exchange'
					? { mailCasesExchange: { id: 'exo', name: 'Exchange' } }
					: { mailCasesMailbox: { id: 'box', name: 'Box' } },
		},
	];
	const connections: WorkflowJson['connections'] = {};
	let previous = 'Mail';
	for (const [index, node] of then.entries()) {
		nodes.push({ ...node, typeVersion: 1, position: [300 * (index + 1), 0] });
		connections[previous] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
		previous = node.name;
	}
	return { nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Delivers one mail per subject to the user's INBOX (LMTP), from a customer. */
export async function plant(
	user: string,
	subjects: string[],
	extra: Record<string, unknown> = {},
): Promise<void> {
	for (const subject of subjects) {
		await deliver(
			user,
			await composeMail({
				from: '"Erika Mustermann" <erika@kunde.test>',
				to: stackUser(user).address,
				subject,
				text: `Text of ${subject}`,
				...extra,
			}),
		);
	}
}

/** Polls `check` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntilAsync(
	check: () => Promise<boolean>,
	timeoutMs: number,
	what: string,
): Promise<void> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata: Record<string, unknown>;
}

interface LoggerLike {
	error(message: string, metadata?: object): void;
}
type LoggerClass = abstract new (...args: never[]) => LoggerLike;

/**
 * Records what nodes write with `this.logger` (n8n-core resolves it from its container at each
 * use) while the real logger stays in place for everything else. The harness runs n8n with log
 * level `silent`, whose logger replaces the methods by read-only no-ops: the recorder is a
 * child object defining its own.
 */
export async function recordN8nLog(): Promise<{ lines: LogLine[]; stop: () => void }> {
	await initN8nEngine();
	const { Logger } = coreRequire<{ Logger: LoggerClass }>('@n8n/backend-common');
	const real = Container.get(Logger);
	const lines: LogLine[] = [];
	const recorder = Object.create(real) as LoggerLike;
	for (const level of ['error', 'warn', 'info', 'debug'] as const) {
		Object.defineProperty(recorder, level, {
			value: (message: string, metadata: Record<string, unknown> = {}) =>
				lines.push({ level, message, metadata }),
		});
	}
	Container.set(Logger, recorder);
	return { lines, stop: () => Container.set(Logger, real) };
}

/**
 * The set-up of a trigger test file: records n8n's log for the whole file, closes the triggers a
 * test started, shuts the engine down at the end. `start` activates the workflow of a stack user.
 */
export function triggerTestFile(nodeTypes: NodeTypeMap) {
	const credentialTypes = packageCredentialTypes();
	const handles: TriggerHandle[] = [];
	let log: { lines: LogLine[]; stop: () => void } | undefined;
	beforeAll(async () => {
		log = await recordN8nLog();
	});
	afterEach(async () => {
		for (const handle of handles.splice(0)) await handle.close();
	});
	afterAll(async () => {
		log?.stop();
		await shutdownN8nEngine();
	});
	return {
		/**
		 * The input `startTrigger` gets for this workflow and user (to run it again elsewhere);
		 * `credentials` instead of the user's mailbox profile (e.g. an Exchange profile).
		 */
		input(
			user: string,
			protocol: 'imap' | 'pop3',
			workflow: WorkflowJson,
			credentials?: CredentialsMap,
		): HarnessInput {
			return {
				workflow,
				nodeTypes,
				credentialTypes,
				credentials: credentials ?? {
					mailCasesMailbox: { box: mailboxCredential(user, protocol) },
				},
				timeoutMs: 60_000,
			};
		},
		async start(
			user: string,
			protocol: 'imap' | 'pop3',
			workflow: WorkflowJson,
			credentials?: CredentialsMap,
		): Promise<TriggerHandle> {
			const handle = await startTrigger({
				...this.input(user, protocol, workflow, credentials),
				triggerNodeName: 'Mail',
			});
			handles.push(handle);
			return handle;
		},
		/** Lines of n8n's log that contain `marker` and name the mailbox (e.g. its address). */
		logLines(mailbox: string, marker: string): LogLine[] {
			return (log?.lines ?? []).filter(
				(l) => l.message.includes(marker) && l.message.includes(mailbox),
			);
		},
	};
}
