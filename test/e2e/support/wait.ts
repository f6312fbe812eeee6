/** Bounded polling for the e2e tests. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value; fails after `timeoutMs` with `what` and the last state. */
export async function waitFor<T>(
	check: () => Promise<T | undefined | null | false>,
	timeoutMs: number,
	what: string,
	describe?: () => Promise<string>,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			const state = describe
				? await describe().catch((e: Error) => `(state unknown: ${e.message})`)
				: '';
			throw new Error(
				`timed out after ${timeoutMs} ms waiting for ${what}${state ? `; ${state}` : ''}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`,
			);
		}
		await sleep(250);
	}
}
