import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import type { Config } from '@jest/types';

import { stackIsRunning, STACK_ENV } from './mail-stack/description';
import { runNeedsMailStack } from './mail-stack/jest-selection';
import { startMailStack, writeDescription } from './mail-stack/stack';
import type { MailStackHandle, StackDescription } from './mail-stack/types';

/**
 * Jest global setup: starts the mail stack once per run - only when a test file of a project
 * that needs it (the projects whose setupFiles load test/support/stack-env.ts: "integration",
 * "workflows") is part of the run; see runNeedsMailStack. `jest --selectProjects unit` or
 * `jest test/unit/x.test.ts` start nothing.
 *
 * The description goes to a JSON file (mode 0600, inside the stack's temp directory) whose path
 * is put into MAIL_CASES_STACK; test workers are forked after this and inherit it.
 *
 * If MAIL_CASES_STACK already points to a running stack (e.g. one started by
 * scripts/start-mail-stack.ts), that stack is used and left running; its user claims are reset.
 */
export default async function globalSetup(
	globalConfig: Config.GlobalConfig,
	projectConfig?: Config.ProjectConfig,
): Promise<void> {
	const g = globalThis as { __mailCasesStack?: MailStackHandle };
	if (g.__mailCasesStack) return;
	if (!runNeedsMailStack(globalConfig, projectConfig)) return;
	const existing = process.env[STACK_ENV];
	if (existing && existsSync(existing)) {
		const desc = JSON.parse(readFileSync(existing, 'utf8')) as StackDescription;
		if (stackIsRunning(desc)) {
			// A new run may claim every numbered user again (their mailboxes keep earlier mail).
			rmSync(path.join(desc.dir, 'claims'), { recursive: true, force: true });
			return;
		}
	}
	const stack = await startMailStack();
	g.__mailCasesStack = stack;
	process.env[STACK_ENV] = writeDescription(stack.describe());
	if (process.env.MAIL_CASES_STACK_VERBOSE) {
		process.stderr.write(
			`\nmail stack ready in ${stack.startupMs} ms: ${process.env[STACK_ENV]}\n`,
		);
	}
}
