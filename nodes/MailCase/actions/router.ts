import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Store } from '../../../lib/store';
import { failedItem } from '../../shared/errors';
import { defaultStoreConfig, storeFor } from '../../shared/store';
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
 * Runs the chosen operation for every input item against one store (the node's "Mail Cases
 * Store" credential, else the embedded SQLite file, whose path is shown as a notice).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (!this.getNode().credentials?.mailCasesStore) {
		const where = defaultStoreConfig();
		this.addExecutionHints?.({
			message: `No Mail Cases Store credential: cases are kept in the embedded SQLite file ${where.kind === 'sqlite' ? where.path : ''}. Add a Mail Cases Store credential to choose another file or a shared PostgreSQL.`,
			type: 'info',
			location: 'outputPane',
		});
	}
	let opening: Promise<Store> | undefined;
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const run = operationOf(resource, operation);
			opening ??= storeFor(this);
			output.push(...(await run.execute(this, i, await opening)));
		} catch (error) {
			output.push(failedItem(this, error, i));
		}
	}
	return [output];
}
