import { existsSync, readFileSync } from 'node:fs';

import { isRunning } from './process';
import type { StackDescription } from './types';

/** Environment variable holding the path of the stack description JSON (set by global setup). */
export const STACK_ENV = 'MAIL_CASES_STACK';

let cached: { file: string; stack: StackDescription } | undefined;

/** The description of the stack that the Jest global setup started (read once per file). */
export function getStack(): StackDescription {
	const file = process.env[STACK_ENV];
	if (!file) {
		throw new Error(
			`${STACK_ENV} is not set: no mail stack is running. Integration and workflow tests get it from ` +
				'test/support/global-setup.ts, which Jest runs for the "integration" and "workflows" projects.',
		);
	}
	if (cached?.file === file) return cached.stack;
	let stack: StackDescription;
	try {
		stack = JSON.parse(readFileSync(file, 'utf8')) as StackDescription;
	} catch (error) {
		throw new Error(`cannot read the mail stack description ${file}: ${(error as Error).message}`);
	}
	cached = { file, stack };
	return stack;
}

/** True when the stack's directory exists and both servers are alive. */
export function stackIsRunning(stack: StackDescription): boolean {
	return existsSync(stack.dir) && isRunning(stack.dovecotPid) && isRunning(stack.postfixPid);
}
