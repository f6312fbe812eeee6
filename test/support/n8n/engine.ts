/**
 * One-time set-up of n8n's real execution engine (n8n-core 2.41.1 / n8n-workflow 2.41.0) inside
 * a Jest worker, the way `n8n start` prepares it (packages/cli base-command.js `init()`):
 *
 *  - n8n-core resolves its services through the dependency-injection container of ITS OWN
 *    copy of `@n8n/di` (node_modules/n8n-core/node_modules/@n8n/di 0.17.0). The top-level
 *    `@n8n/di` (0.16.0, pulled in by @n8n/node-cli) is a different container in which none of
 *    n8n-core's services are registered, so everything here goes through `coreRequire`.
 *  - `InstanceSettings` writes `<N8N_USER_FOLDER>/.n8n/config` (the encryption key) when first
 *    resolved: N8N_USER_FOLDER is pointed at a fresh temporary folder per test file.
 *  - Configuration is read from the environment when a service is first resolved, so the
 *    variables are set before the first `Container.get`; N8N_LOG_LEVEL is `silent` unless
 *    HARNESS_N8N_LOG_LEVEL says otherwise.
 *  - Expressions: n8n 2.x evaluates `={{ … }}` in an isolated-vm sandbox by default
 *    (N8N_EXPRESSION_ENGINE=vm, from @n8n/config's ExpressionEngineConfig). The server calls
 *    `Expression.initExpressionEngine(…)` at start. That method loads @n8n/expression-runtime
 *    with a dynamic `import()`, which Jest's CommonJS runtime refuses ("A dynamic import
 *    callback was invoked without --experimental-vm-modules"), so `startVmExpressionEngine`
 *    performs the same steps with a plain `require` (see expression-engine.ts).
 *  - Binary data: `BinaryDataService.init()` as the server does; the mode is the harness's
 *    choice (`default` = base64 in memory, `filesystem` = n8n 2.x's own default in regular mode,
 *    stored under the temporary user folder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type * as DiModule from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, InstanceSettings } from 'n8n-core';
import { Expression } from 'n8n-workflow';

import { type ExpressionEngineSettings, startVmExpressionEngine } from './expression-engine';

/** Binary data modes the harness supports: in-memory base64 (`default`) or files on disk. */
export type HarnessBinaryDataMode = 'default' | 'filesystem';

export interface EngineOptions {
	/** Initial binary data mode, default `default` (in memory). See `useBinaryDataMode`. */
	binaryDataMode?: HarnessBinaryDataMode;
}

interface GlobalConfigShape {
	expressionEngine: ExpressionEngineSettings;
	endpoints: Record<string, unknown>;
}

const coreDir = path.dirname(require.resolve('n8n-core/package.json'));

/**
 * `require` a module as n8n-core sees it (its nested copies of @n8n/di, @n8n/config, …).
 * Goes through Jest's own `require`, so the instance is the one n8n-core already loaded.
 */
export function coreRequire<T>(id: string): T {
	return require(require.resolve(id, { paths: [coreDir] })) as T;
}

/** The part of @n8n/di's container the harness uses. */
export interface DiContainer {
	get<T>(type: abstract new (...args: never[]) => T): T;
	set<T>(type: abstract new (...args: never[]) => T, instance: T): void;
	has(type: abstract new (...args: never[]) => unknown): boolean;
}

/** n8n-core's dependency-injection container. */
export const Container: DiContainer = coreRequire<typeof DiModule>('@n8n/di').Container;

/** n8n-core's view of @n8n/config's GlobalConfig (environment read when first resolved). */
export function getGlobalConfig(): GlobalConfigShape {
	const { GlobalConfig } = coreRequire<{ GlobalConfig: new () => GlobalConfigShape }>(
		'@n8n/config',
	);
	return Container.get(GlobalConfig);
}

let userFolder: string | undefined;
let ready: Promise<void> | undefined;
let shutDown = false;

async function initialise(options: EngineOptions): Promise<void> {
	userFolder = mkdtempSync(path.join(tmpdir(), 'mail-cases-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	// n8n logs every failed execution; tests fail on purpose. HARNESS_N8N_LOG_LEVEL=debug shows it.
	process.env.N8N_LOG_LEVEL = process.env.HARNESS_N8N_LOG_LEVEL ?? 'silent';
	process.on('exit', removeUserFolder);

	Container.get(InstanceSettings);

	const expressionConfig = getGlobalConfig().expressionEngine;
	if (expressionConfig.engine === 'legacy') {
		Expression.setExpressionEngine('legacy');
	} else {
		await startVmExpressionEngine(expressionConfig);
	}

	await applyBinaryDataMode(options.binaryDataMode ?? 'default');
}

function removeUserFolder(): void {
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	userFolder = undefined;
}

async function applyBinaryDataMode(mode: HarnessBinaryDataMode): Promise<void> {
	Container.get(BinaryDataConfig).mode = mode;
	await Container.get(BinaryDataService).init();
}

/**
 * Prepares the engine once per Jest worker; later calls return the same promise.
 * `runWorkflow` and `startTrigger` call it themselves.
 */
export async function initN8nEngine(options: EngineOptions = {}): Promise<void> {
	if (shutDown) {
		// n8n-core's services keep the old user folder; a fresh test file gets a fresh engine.
		throw new Error('The n8n engine of this test file was shut down; it cannot be started again');
	}
	ready ??= initialise(options);
	await ready;
}

/** The binary data mode now in force (`BinaryDataConfig.mode`). */
export function currentBinaryDataMode(): string {
	return Container.get(BinaryDataConfig).mode;
}

/**
 * Switches the process-wide binary data mode (n8n has one per instance). Do not switch while
 * an execution is running.
 */
export async function useBinaryDataMode(mode: HarnessBinaryDataMode): Promise<void> {
	await initN8nEngine();
	await applyBinaryDataMode(mode);
}

/** Releases the expression sandbox and the temporary user folder; call in `afterAll`. */
export async function shutdownN8nEngine(): Promise<void> {
	if (!ready || shutDown) return;
	shutDown = true;
	await ready.catch(() => undefined);
	await Expression.disposeExpressionEngine();
	removeUserFolder();
	process.off('exit', removeUserFolder);
}
