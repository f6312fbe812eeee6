/**
 * Starts test/support/trigger-child.js (a trigger workflow in n8n's real engine, in its own Node
 * process) and follows what it reports, so a test can SIGKILL it — or let the workflow kill it —
 * and start it again: the crash paths of R-PLUS-1 and issue #11.3.
 */
import { spawn, type ChildProcess } from 'child_process';
import path from 'path';

const root = path.resolve(__dirname, '..', '..');

export interface ReportedExecution {
	status: string;
	error?: string;
	items?: Array<Record<string, unknown>>;
}

export interface TriggerChild {
	process: ChildProcess;
	/** Executions the child reported as finished, in order. */
	executions: ReportedExecution[];
	/** Resolves once the trigger is active; rejects when the child fails otherwise than by SIGKILL. */
	ready: Promise<void>;
	/** Resolves with the signal (or exit code) once the process is gone. */
	exited: Promise<NodeJS.Signals | number | null>;
}

/** Children started here that are still running (for afterAll). */
export const triggerChildren: ChildProcess[] = [];

export function startTriggerChild(specFile: string): TriggerChild {
	const child = spawn(
		process.execPath,
		[path.join(root, 'test', 'support', 'trigger-child.js'), specFile],
		{
			cwd: root,
			env: { ...process.env, N8N_LOG_LEVEL: 'silent', NODE_OPTIONS: '' },
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	triggerChildren.push(child);
	const executions: ReportedExecution[] = [];
	let stderr = '';
	let readyResolve!: () => void;
	let readyReject!: (e: Error) => void;
	const ready = new Promise<void>((resolve, reject) => {
		readyResolve = resolve;
		readyReject = reject;
	});
	let buffer = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		buffer += chunk.toString();
		for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
			const line = buffer.slice(0, nl);
			buffer = buffer.slice(nl + 1);
			const msg = JSON.parse(line) as { ready?: boolean } & ReportedExecution;
			if (msg.ready) readyResolve();
			else executions.push({ status: msg.status, error: msg.error, items: msg.items });
		}
	});
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
		child.on('exit', (code, signal) => {
			if (signal !== 'SIGKILL' && code !== 0)
				readyReject(new Error(`trigger child exited ${code}: ${stderr}`));
			resolve(signal ?? code);
		});
	});
	return { process: child, executions, ready, exited };
}

/** Polls `check` until it holds (the events here are another process's and a server's state). */
export async function until(
	what: string,
	check: () => boolean | Promise<boolean>,
	timeoutMs: number,
): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
