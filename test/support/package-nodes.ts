/**
 * Node and credential types of this package, found the way n8n finds them: through the
 * "n8n" section of package.json. Each registered dist/ file is mapped to its TypeScript source,
 * so tests run the current code and a missing or misnamed registration fails here.
 */
import path from 'path';
import type { ICredentialType, INodeType } from 'n8n-workflow';

const root = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(path.join(root, 'package.json')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};

function sourceOf(distFile: string): string {
	return path.join(root, distFile.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function loadClasses<T>(files: string[]): Array<new () => T> {
	return files.map((file) => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exports = require(sourceOf(file)) as Record<string, new () => T>;
		const name = path.basename(file).split('.')[0];
		const cls = exports[name];
		if (!cls) throw new Error(`${file} (package.json) exports no class ${name}`);
		return cls;
	});
}

/** `{ 'n8n-nodes-mail-cases.<nodeName>': NodeClass }` for the workflow harness. */
export function packageNodeTypes(): Record<string, new () => INodeType> {
	const map: Record<string, new () => INodeType> = {};
	for (const cls of loadClasses<INodeType>(pkg.n8n.nodes)) {
		map[`${pkg.name}.${new cls().description.name}`] = cls;
	}
	return map;
}

/** Each node package.json registers: its dist/ path, its TypeScript source and its class. */
export function registeredNodes(): Array<{
	distFile: string;
	sourceFile: string;
	type: new () => INodeType;
}> {
	const classes = loadClasses<INodeType>(pkg.n8n.nodes);
	return pkg.n8n.nodes.map((distFile, i) => ({
		distFile,
		sourceFile: sourceOf(distFile),
		type: classes[i],
	}));
}

export function packageCredentialTypes(): Array<new () => ICredentialType> {
	return loadClasses<ICredentialType>(pkg.n8n.credentials);
}

export const NODE = (name: string) => `${pkg.name}.${name}`;
