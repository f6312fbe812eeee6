/**
 * Helpers of the real-n8n benchmarks (bench/n8n, bench/pipeline): options from the command line,
 * the packed package, a peak-RSS sampler of n8n's process tree, execution statistics over the
 * REST API, and the monotonic clock that V8's CPU profiles use.
 */
import { readFileSync } from 'node:fs';

import { buildAndPack, TARBALL_ENV } from '../../test/e2e/support/package-tarball';
import type { N8nServer } from '../../test/e2e/support/n8n-server';
import { groupPids } from '../../test/e2e/support/queue-mode';

/** `--name=value` / `--flag` options (bench/run.js forwards them), with env fallbacks. */
export function options(args: string[]): {
	num(name: string, fallback: number): number;
	flag(name: string): boolean;
	str(name: string, fallback: string): string;
} {
	const map = new Map<string, string>();
	for (const arg of args) {
		const m = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
		if (m) map.set(m[1], m[2] ?? 'true');
	}
	const env = (name: string) => process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
	return {
		num: (name, fallback) => {
			const v = Number(map.get(name) ?? env(name) ?? fallback);
			if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
			return v;
		},
		flag: (name) => ['true', '1', 'yes'].includes(map.get(name) ?? env(name) ?? ''),
		str: (name, fallback) => map.get(name) ?? env(name) ?? fallback,
	};
}

/** The packed package: MAIL_CASES_E2E_TARBALL, or build and pack under the team's build lock. */
export async function packedPackage(): Promise<string> {
	const given = process.env[TARBALL_ENV];
	if (given) return given;
	process.stdout.write('building and packing the package ...\n');
	return (await buildAndPack()).tarball;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Microseconds on CLOCK_MONOTONIC — the clock of V8's CPU profile timestamps on Linux. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** RSS of every process of a group (n8n and its task runners), in MB. */
export function treeRssMb(pgid: number): number {
	let kb = 0;
	for (const pid of groupPids(pgid)) {
		try {
			const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			kb += Number(m?.[1] ?? 0);
		} catch {
			/* gone */
		}
	}
	return Math.round(kb / 1024);
}

/** Samples the tree's RSS every 200 ms until stopped; returns the peak. */
export function rssSampler(pgid: number): { stop(): number } {
	let peak = treeRssMb(pgid);
	const timer = setInterval(() => (peak = Math.max(peak, treeRssMb(pgid))), 200);
	return {
		stop: () => {
			clearInterval(timer);
			return Math.max(peak, treeRssMb(pgid));
		},
	};
}

/**
 * A GET through the REST client, once more when n8n closed the kept-alive socket just as it was
 * reused (n8n's HTTP server drops idle connections after 5 s; undici reports "other side closed").
 */
async function get<T>(n8n: N8nServer, url: string): Promise<T> {
	try {
		return await n8n.rest.request<T>('GET', url);
	} catch (error) {
		const code = (error as { cause?: { code?: string } }).cause?.code;
		if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw error;
		return n8n.rest.request<T>('GET', url);
	}
}

/** Number of executions of a workflow, optionally with these statuses. */
export async function executionCount(
	n8n: N8nServer,
	workflowId: string,
	status?: string[],
): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status } : {}) }));
	const page = await get<{ count: number }>(n8n, `/rest/executions?filter=${filter}&limit=1`);
	return page.count;
}

export interface ExecutionTimes {
	id: string;
	status: string;
	startedAt: number;
	stoppedAt: number;
}

/** Every execution of a workflow (pages of 100, newest first), with start and stop in ms. */
export async function allExecutions(n8n: N8nServer, workflowId: string): Promise<ExecutionTimes[]> {
	const out: ExecutionTimes[] = [];
	let lastId: string | undefined;
	for (;;) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await get<{
			results: Array<{
				id: string | number;
				status: string;
				startedAt: string;
				stoppedAt?: string;
			}>;
		}>(n8n, `/rest/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}` : ''}`);
		for (const e of page.results)
			out.push({
				id: String(e.id),
				status: e.status,
				startedAt: Date.parse(e.startedAt),
				stoppedAt: e.stoppedAt ? Date.parse(e.stoppedAt) : NaN,
			});
		if (page.results.length < 100) break;
		lastId = String(page.results[page.results.length - 1].id);
	}
	return out;
}

export const median = (values: number[]) => {
	const s = [...values].sort((a, b) => a - b);
	if (s.length === 0) return NaN;
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const round1 = (n: number) => Math.round(n * 10) / 10;
