import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

export interface FakeOptions {
	/** Input items' JSON. */
	items?: IDataObject[];
	/** Parameters, the same for every item, or per item index. */
	parameters?: IDataObject | ((itemIndex: number) => IDataObject);
	continueOnFail?: boolean;
	credentials?: INode['credentials'];
}

export interface FakeExecute extends IExecuteFunctions {
	hints: unknown[];
}

/** A minimal IExecuteFunctions for node router tests: input items, parameters, continueOnFail. */
export function fakeExecute(options: FakeOptions = {}): FakeExecute {
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const node: INode = {
		id: 'n1',
		name: 'Node',
		type: 'test.node',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: options.credentials,
	};
	const hints: unknown[] = [];
	const parametersOf = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : (options.parameters ?? {});
	const ctx = {
		hints,
		getInputData: () => items,
		getNode: () => node,
		getInstanceId: () => 'instance-1',
		continueOnFail: () => options.continueOnFail === true,
		getNodeParameter: (name: string, i: number, fallback?: unknown) => {
			const value = parametersOf(i)[name];
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getCredentials: async (type: string) => {
			throw new Error(`no credential ${type} in this test`);
		},
		addExecutionHints: (...added: unknown[]) => hints.push(...added),
	};
	return ctx as unknown as FakeExecute;
}
