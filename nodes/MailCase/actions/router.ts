import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Store } from '../../../lib/store';
import { defaultStoreConfig } from '../../shared/store';
import * as contact from './contact';
import * as mailCase from './case';
import * as orgUnit from './org-unit';
import * as workflow from './workflow';

type Operation = {
	execute: (
		ctx: IExecuteFunctions,
		itemIndex: number,
		store: Store,
	) => Promise<INodeExecutionData[]>;
};

const RESOURCES: Record<string, Record<string, unknown>> = {
	case: mailCase,
	contact,
	orgUnit,
	workflow,
};

function operationOf(resource: string, operation: string): Operation {
	const candidate = RESOURCES[resource]?.[operation] as Partial<Operation> | undefined;
	if (typeof candidate?.execute !== 'function') {
		throw new Error(`The operation "${operation}" of resource "${resource}" is not supported`);
	}
	return candidate as Operation;
}

/**
 * The chosen operation for input item `itemIndex` against the node's store (the "Mail Cases
 * Store" credential, else the embedded SQLite file).
 */
export async function runOperation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: () => Promise<Store>,
): Promise<INodeExecutionData[]> {
	const resource = ctx.getNodeParameter('resource', itemIndex) as string;
	const operation = ctx.getNodeParameter('operation', itemIndex) as string;
	const run = operationOf(resource, operation);
	return await run.execute(ctx, itemIndex, await store());
}

/** Without a store credential: a notice with the path of the embedded SQLite file. */
export function hintEmbeddedStore(ctx: IExecuteFunctions): void {
	if (ctx.getNode().credentials?.mailCasesStore) return;
	const where = defaultStoreConfig();
	ctx.addExecutionHints?.({
		message: `No Mail Cases Store credential: cases are kept in the embedded SQLite file ${where.kind === 'sqlite' ? where.path : ''}. Add a Mail Cases Store credential to choose another file or a shared PostgreSQL.`,
		type: 'info',
		location: 'outputPane',
	});
}
