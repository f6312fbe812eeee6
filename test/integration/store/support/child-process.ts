import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { StoreConfig } from '../../../../lib/store';

export interface ChildJob {
	config: StoreConfig;
	task: 'create' | 'ingest' | 'claim' | 'open';
	count?: number;
	keys?: string[];
	/** claim: the lease of each claim. */
	leaseMs?: number;
	workflowId?: number;
	orgUnitId?: number;
}

/**
 * A store in a second Node process (store-child.js). `ready` resolves once it has opened the
 * store; `go()` releases its writes; `result` resolves with its output. Killed after 60 s.
 */
export class StoreChild {
	private readonly child: ChildProcess;
	readonly ready: Promise<void>;
	readonly result: Promise<unknown>;
	private readonly timer: NodeJS.Timeout;

	constructor(job: ChildJob) {
		this.child = spawn(process.execPath, [join(__dirname, 'store-child.js'), JSON.stringify(job)], {
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		this.timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
		let stdout = '';
		let stderr = '';
		let markReady!: () => void;
		this.ready = new Promise((resolve) => (markReady = resolve));
		this.child.stdout!.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			if (stdout.startsWith('ready\n')) markReady();
		});
		this.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		this.result = new Promise((resolve, reject) => {
			this.child.on('close', (code) => {
				clearTimeout(this.timer);
				markReady(); // never leave a waiter hanging
				const last = stdout.trim().split('\n').pop() ?? '';
				try {
					const parsed = JSON.parse(last) as {
						ok: boolean;
						results?: unknown;
						message?: string;
						code?: string;
					};
					if (parsed.ok) resolve(parsed.results);
					else reject(new Error(`child failed (${parsed.code}): ${parsed.message}`));
				} catch {
					reject(new Error(`child exited with ${code}: ${stdout}\n${stderr}`));
				}
			});
		});
		this.result.catch(() => undefined);
	}

	go(): void {
		this.child.stdin!.end('go\n');
	}
}
