/**
 * Starts n8n's expression sandbox the way `Expression.initExpressionEngine` (n8n-workflow
 * 2.41.0, dist/cjs/expression.js) does, minus its dynamic `import()` that Jest's CommonJS
 * runtime cannot run: an `ExpressionEvaluator` of @n8n/expression-runtime with one
 * `IsolatedVmBridge` per pooled isolate (QuickJS for engine `quickjs`), n8n's sandbox hooks
 * and LoggerProxy, published on `Expression` once `initialize()` succeeded.
 * `Expression.disposeExpressionEngine()` tears it down as usual.
 */
import path from 'node:path';

import type * as ExpressionRuntime from '@n8n/expression-runtime';
import { Expression, LoggerProxy } from 'n8n-workflow';

/** The expression engine settings n8n's server reads from @n8n/config (GlobalConfig). */
export interface ExpressionEngineSettings {
	engine: 'legacy' | 'vm' | 'quickjs';
	poolSize: number;
	maxCodeCacheSize: number;
	bridgeTimeout: number;
	bridgeMemoryLimit: number;
	idleTimeout?: number;
}

const workflowDir = path.dirname(require.resolve('n8n-workflow/package.json'));

/** `require` as n8n-workflow resolves it (the same module instances it uses). */
function workflowRequire<T>(id: string): T {
	return require(require.resolve(id, { paths: [workflowDir] })) as T;
}

/** The private statics `initExpressionEngine` sets. */
interface ExpressionStatics {
	vmEvaluator?: ExpressionRuntime.ExpressionEvaluator;
}

export async function startVmExpressionEngine(settings: ExpressionEngineSettings): Promise<void> {
	if (settings.engine === 'legacy') throw new Error('startVmExpressionEngine: engine is legacy');
	const statics = Expression as unknown as ExpressionStatics;
	Expression.setExpressionEngine(settings.engine);
	if (statics.vmEvaluator) return;

	const runtime = workflowRequire<typeof ExpressionRuntime>('@n8n/expression-runtime');
	const { expressionSandboxHooks } = workflowRequire<{
		expressionSandboxHooks: ExpressionRuntime.EvaluatorConfig['hooks'];
	}>('n8n-workflow/expression-sandboxing');
	const bridgeConfig = {
		timeout: settings.bridgeTimeout,
		memoryLimit: settings.bridgeMemoryLimit,
		logger: LoggerProxy,
	};
	const evaluator = new runtime.ExpressionEvaluator({
		createBridge:
			settings.engine === 'quickjs'
				? () => new runtime.QuickJsBridge(bridgeConfig)
				: () => new runtime.IsolatedVmBridge(bridgeConfig),
		maxCodeCacheSize: settings.maxCodeCacheSize,
		poolSize: settings.poolSize,
		idleTimeoutMs: settings.idleTimeout === undefined ? undefined : settings.idleTimeout * 1000,
		hooks: expressionSandboxHooks,
		logger: LoggerProxy,
	});
	try {
		await evaluator.initialize();
	} catch (error) {
		await evaluator.dispose().catch(() => undefined);
		throw error;
	}
	statics.vmEvaluator = evaluator;
}
