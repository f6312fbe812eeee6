/** Progress lines for a newcomer watching the demo. */
const started = Date.now();

function elapsed(): string {
	return `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
}

/** One progress line: `[  12.3 s] message`. */
export function step(message: string): void {
	process.stdout.write(`[${elapsed()}] ${message}\n`);
}

/** An indented detail under the last step. */
export function detail(message: string): void {
	process.stdout.write(`           ${message}\n`);
}
