/**
 * Summary of a V8 CPU profile (`node --cpu-prof`): self time by category of code (n8n core, our
 * package, database, parsing, IMAP, Node internals, GC, idle) and the top functions by self
 * time, optionally only for the samples inside time windows (µs on the profile's clock, which is
 * CLOCK_MONOTONIC on Linux: `monotonicUs()` of the benchmark process).
 *
 * Also a command: `scripts/with-node.sh node bench/run.js --child bench/support/cpuprofile.ts <file.cpuprofile>
 * [--windows=bench/results/n8n.json]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** Category of a frame by its script URL (or V8's pseudo frames). */
export function category(url: string, functionName: string): string {
	if (functionName === '(idle)') return 'idle';
	if (functionName === '(garbage collector)') return 'GC';
	if (functionName === '(program)') return 'V8/native (program)';
	const u = url.replace(/\\/g, '/');
	if (/n8n-nodes-mail-cases\//.test(u)) {
		if (
			/\/node_modules\/(imapflow|mailparser|libmime|libqp|libbase64|iconv-lite|encoding-japanese|html-to-text|linkify)/.test(
				u.split('n8n-nodes-mail-cases/')[1] ?? '',
			)
		)
			return /imapflow/.test(u) ? 'IMAP (imapflow)' : 'mail parsing (mailparser …)';
		return 'our package';
	}
	if (/\/(imapflow|node-imap|imap|imap-simple|@n8n\/imap)\//.test(u)) return 'IMAP (imapflow)';
	if (
		/\/(mailparser|libmime|libqp|libbase64|iconv-lite|encoding-japanese|html-to-text|mailsplit|linkify-it|he|punycode|chardet|selderee|parseley|htmlparser2|domhandler|domutils|entities|leac|peberminta|@selderee\/[^/]+|deepmerge)\//.test(
			u,
		)
	)
		return 'mail parsing (mailparser …)';
	if (/\/(sqlite3|pg|pg-protocol|@n8n\/typeorm|typeorm|better-sqlite3)\//.test(u))
		return 'database (typeorm, sqlite3, pg)';
	if (/\/(n8n-core|n8n-workflow|n8n|@n8n\/[^/]+|n8n-nodes-base)\//.test(u)) return 'n8n core';
	if (
		/\/(flatted|ajv|lodash|luxon|class-validator|class-transformer|reflect-metadata|@sentry|winston|logform|express|router|body-parser|ws|zod)\//.test(
			u,
		)
	)
		return 'n8n dependencies (lodash, flatted, logging …)';
	if (u.startsWith('node:') || u === '' || /^internal\//.test(u))
		return 'Node internals (streams, net, tls, fs)';
	return 'other modules';
}

export interface ProfileSummary {
	totalMs: number;
	byCategory: Array<{ category: string; ms: number; percent: number }>;
	topFunctions: Array<{ fn: string; where: string; category: string; ms: number; percent: number }>;
}

const shortUrl = (url: string) => {
	const nm = url.lastIndexOf('node_modules/');
	return nm >= 0 ? url.slice(nm + 13) : url.replace(/^file:\/\//, '');
};

/** Self time per category and per function within `windows` (all samples when omitted). */
export function summarise(
	profile: CpuProfile,
	windows?: Array<[number, number]>,
	top = 15,
): ProfileSummary {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const selfUs = new Map<number, number>();
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		const dt = profile.timeDeltas[i + 1] ?? 0; // the sample stands for the time until the next one
		if (windows && !windows.some(([a, b]) => t >= a && t <= b)) continue;
		selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, dt));
	}
	const cats = new Map<string, number>();
	const fns = new Map<string, { fn: string; where: string; category: string; us: number }>();
	let total = 0;
	for (const [id, us] of selfUs) {
		const node = byId.get(id);
		if (!node) continue;
		const { functionName, url, lineNumber } = node.callFrame;
		const cat = category(url, functionName);
		total += us;
		cats.set(cat, (cats.get(cat) ?? 0) + us);
		const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
		const key = `${functionName}@${where}`;
		const entry = fns.get(key) ?? {
			fn: functionName || '(anonymous)',
			where,
			category: cat,
			us: 0,
		};
		entry.us += us;
		fns.set(key, entry);
	}
	const pct = (us: number) => Math.round((us / Math.max(total, 1)) * 1000) / 10;
	return {
		totalMs: Math.round(total / 1000),
		byCategory: [...cats]
			.sort((a, b) => b[1] - a[1])
			.map(([c, us]) => ({ category: c, ms: Math.round(us / 1000), percent: pct(us) })),
		topFunctions: [...fns.values()]
			.sort((a, b) => b.us - a.us)
			.slice(0, top)
			.map((f) => ({
				fn: f.fn,
				where: f.where,
				category: f.category,
				ms: Math.round(f.us / 1000),
				percent: pct(f.us),
			})),
	};
}

export function readProfile(file: string): CpuProfile {
	return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Busy share (not idle) of the samples in the windows, in %. */
export function busyPercent(summary: ProfileSummary): number {
	const idle = summary.byCategory.find((c) => c.category === 'idle')?.ms ?? 0;
	return Math.round(((summary.totalMs - idle) / Math.max(summary.totalMs, 1)) * 1000) / 10;
}

export function printSummary(title: string, summary: ProfileSummary): void {
	process.stdout.write(
		`\n${title}: ${summary.totalMs} ms sampled, ${busyPercent(summary)} % busy\n`,
	);
	console.table(summary.byCategory);
	console.table(summary.topFunctions);
}

export async function main(args: string[]): Promise<void> {
	const file = args.find((a) => !a.startsWith('--'));
	if (!file)
		throw new Error('usage: bench/run.js --child bench/support/cpuprofile.ts <file.cpuprofile>');
	// --windows=bench/results/n8n.json: one summary per variant, over that run's drain windows.
	const from = /^--windows=(.+)$/.exec(args.find((a) => a.startsWith('--windows=')) ?? '')?.[1];
	if (!from) return printSummary(file, summarise(readProfile(file)));
	const { runs } = JSON.parse(readFileSync(from, 'utf8')) as {
		runs: Array<{ variant: string; window?: [number, number] }>;
	};
	const profile = readProfile(file);
	for (const variant of new Set(runs.map((r) => r.variant))) {
		const windows = runs.filter((r) => r.variant === variant && r.window).map((r) => r.window!);
		if (windows.length) printSummary(`${file}, ${variant}`, summarise(profile, windows));
	}
}
