/**
 * Per-batch phase timestamps of the intake loop (issue #17.1), for finding where the time of a
 * cycle goes. Off unless the environment variable MAIL_CASES_TRACE_PHASES is `1` in the n8n
 * process: a debug switch for operators and benchmarks, not a workflow setting.
 *
 * Phases, in the order they end for one batch: `list` (the waiting mails were listed and the
 * batch chosen), `fetch` (its bytes were read), `parse` (parsed and turned into items), `count`
 * (its attempt was counted on the server, just before the run), `emit` (handed to n8n), `run`
 * (n8n reported the run's end), `dispose` (removed or marked on the server), `commit` (the
 * session confirmed it; POP3 QUIT).
 */
export const PHASES = [
	'list',
	'fetch',
	'parse',
	'count',
	'emit',
	'run',
	'dispose',
	'commit',
] as const;
export type Phase = (typeof PHASES)[number];

export const TRACE_PHASES_ENV = 'MAIL_CASES_TRACE_PHASES';

/** True when the environment asks for phase timestamps. */
export function tracePhasesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	return env[TRACE_PHASES_ENV] === '1';
}

/** One batch's timestamps: epoch milliseconds (fractional) when each phase ended. */
export interface PhaseRecord {
	keys: string[];
	/** When the batch's listing started. */
	startedAt: number;
	at: Partial<Record<Phase, number>>;
}

export type PhaseSink = (record: PhaseRecord) => void;

/** Marks the end of a phase of one batch; a no-op when tracing is off. */
export interface BatchTrace {
	mark(phase: Phase): void;
}

function now(): number {
	return performance.timeOrigin + performance.now();
}

export class PhaseTrace implements BatchTrace {
	private readonly record: PhaseRecord;
	private done = false;

	constructor(private readonly sink: PhaseSink | undefined) {
		this.record = { keys: [], startedAt: sink ? now() : 0, at: {} };
	}

	setKeys(keys: string[]): void {
		this.record.keys = keys;
	}

	mark(phase: Phase): void {
		if (this.sink) this.record.at[phase] = now();
	}

	/** Hands the record to the sink, once. */
	finish(): void {
		if (!this.sink || this.done) return;
		this.done = true;
		this.sink(this.record);
	}
}

/**
 * `batch of 10 (UID 1..10) from 2026-12-05T16:40:00.000Z: list +1.2 ms, fetch +4.0 ms, …`: each
 * phase as milliseconds since the batch's listing started, in phase order.
 */
export function formatPhases(record: PhaseRecord): string {
	const keys =
		record.keys.length > 1
			? `${record.keys[0]}..${record.keys[record.keys.length - 1]}`
			: (record.keys[0] ?? '-');
	const phases = PHASES.filter((phase) => record.at[phase] !== undefined)
		.map((phase) => `${phase} +${(record.at[phase]! - record.startedAt).toFixed(1)} ms`)
		.join(', ');
	return `batch of ${record.keys.length} (${keys}) from ${new Date(record.startedAt).toISOString()}: ${phases}`;
}
