import { STACK_ENV } from './mail-stack/description';
import type { MailStackHandle } from './mail-stack/types';

/** Stops the stack the global setup of this Jest process started (a reused one is left alone). */
export default async function globalTeardown(): Promise<void> {
	const g = globalThis as { __mailCasesStack?: MailStackHandle };
	const stack = g.__mailCasesStack;
	if (!stack) return;
	delete g.__mailCasesStack;
	const started = Date.now();
	await stack.stop();
	if (process.env.MAIL_CASES_STACK_VERBOSE) {
		process.stderr.write(`mail stack stopped in ${Date.now() - started} ms\n`);
	}
	if (process.env[STACK_ENV]?.startsWith(stack.dir)) delete process.env[STACK_ENV];
}
