/**
 * The `INodeTypes` registry a harness workflow runs against, keyed by the type names used in
 * the workflow JSON (`n8n-nodes-mail-cases.<name>` for our package, `n8n-nodes-base.*` for the
 * few built-ins stood in for by test fixtures).
 *
 * Mirrors what n8n's server does with a loaded node (packages/cli node-types.js
 * `getByNameAndVersion`): one instance per node class, versions picked with
 * `NodeHelpers.getVersionedNodeType`, and declarative (routing) nodes get an `execute` that
 * runs n8n-core's `RoutingNode`.
 */
import { RoutingNode, type ExecuteContext } from 'n8n-core';
import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

export type NodeTypeClass = new () => INodeType | IVersionedNodeType;
/** A node class, or an already created instance of one. */
export type NodeTypeInput = NodeTypeClass | INodeType | IVersionedNodeType;
/** `{ 'n8n-nodes-mail-cases.caseMatch': CaseMatch, … }` */
export type NodeTypeMap = Record<string, NodeTypeInput>;

function instantiate(input: NodeTypeInput): INodeType | IVersionedNodeType {
	return typeof input === 'function' ? new input() : input;
}

/** The rule of n8n's CLI (`shouldAssignExecuteMethod`) for nodes that run through RoutingNode. */
function needsRoutingExecute(nodeType: INodeType): boolean {
	const isDeclarative = nodeType.description.requestDefaults !== undefined;
	return (
		!nodeType.execute &&
		!nodeType.supplyData &&
		!nodeType.poll &&
		!nodeType.trigger &&
		(!nodeType.webhook || isDeclarative) &&
		(!nodeType.methods || isDeclarative)
	);
}

export class HarnessNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	constructor(map: NodeTypeMap) {
		for (const [name, input] of Object.entries(map)) this.types.set(name, instantiate(input));
	}

	/** Accepts a registry or a map, so callers can share one registry between runs. */
	static from(input: NodeTypeMap | HarnessNodeTypes): HarnessNodeTypes {
		return input instanceof HarnessNodeTypes ? input : new HarnessNodeTypes(input);
	}

	knownTypeNames(): string[] {
		return [...this.types.keys()];
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) {
			// n8n's own UnrecognizedNodeTypeError says "Unrecognized node type: <type>".
			throw new Error(
				`Unrecognized node type: ${nodeType} (the harness knows: ${this.knownTypeNames().join(', ') || 'nothing'})`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const versioned = NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
		if (needsRoutingExecute(versioned)) {
			versioned.execute = async function (this) {
				// The engine calls `execute` on an ExecuteContext, as n8n's CLI relies on too.
				const routingNode = new RoutingNode(this as unknown as ExecuteContext, versioned);
				const data: INodeExecutionData[][] | null | undefined = await routingNode.runNode();
				return data ?? [];
			};
		}
		return versioned;
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const name of this.types.keys()) known[name] = { className: name, sourcePath: '' };
		return known;
	}
}
