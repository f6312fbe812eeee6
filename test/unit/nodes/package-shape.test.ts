/**
 * The shape n8n expects of every node package.json registers (issue #12.5):
 *  - a codex file `<Node>.node.json` beside `<Node>.node.ts` naming the node, with categories and
 *    documentation links that lead to sections of the README; the build (gulpfile.js) copies it
 *    beside the compiled `<Node>.node.js`, where n8n's own package loader (n8n-core's
 *    PackageDirectoryLoader) picks it up;
 *  - the checks the lint rules cannot make since a node's description lives in `description.ts`
 *    (eslint.config.mjs): the node's name matches its file, its icon files exist, and every
 *    credential it uses names a credential test the node has.
 */
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INodeType } from 'n8n-workflow';
import { registeredNodes } from '../../support/package-nodes';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	name: string;
	homepage: string;
	n8n: { nodes: string[]; credentials: string[] };
};
// A copy: n8n's loader (last test) rewrites the icon paths of the descriptions it loads.
const nodes = registeredNodes().map((entry) => ({
	...entry,
	description: structuredClone(new entry.type().description),
}));

interface Codex {
	node: string;
	nodeVersion: string;
	codexVersion: string;
	categories: string[];
	resources: {
		primaryDocumentation: Array<{ url: string }>;
		credentialDocumentation?: Array<{ url: string }>;
	};
	alias?: string[];
}

function codexOf(sourceFile: string): Codex {
	return JSON.parse(readFileSync(sourceFile.replace(/\.ts$/, '.json'), 'utf8')) as Codex;
}

/** The anchor GitHub and npm give a README heading. */
function slug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

const readmeAnchors = new Set(
	readFileSync(path.join(root, 'README.md'), 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => slug(line.replace(/^#+ /, ''))),
);

describe('codex files (#12.5)', () => {
	it('package.json registers the ten nodes, the trigger included', () => {
		expect(nodes.map((n) => n.description.name).sort()).toEqual(
			[
				'addToCase',
				'caseMatch',
				'contactLookup',
				'createCaseFromMail',
				'forwardMail',
				'mailCase',
				'mailCasesSendMail',
				'mailCasesTrigger',
				'notifyResponsible',
				'parseFields',
			].sort(),
		);
	});

	it.each(nodes.map((n) => [n.description.name, n] as const))(
		'%s: <Node>.node.json beside <Node>.node.ts names the node, categories and docs',
		(_name, { sourceFile, description }) => {
			const codex = codexOf(sourceFile);
			expect(codex.node).toBe(`${pkg.name}.${description.name}`);
			expect(codex.nodeVersion).toBe('1.0');
			expect(codex.codexVersion).toBe('1.0');
			expect(codex.categories.length).toBeGreaterThan(0);
			expect(codex.resources.primaryDocumentation.length).toBeGreaterThan(0);
			const credentials = description.credentials ?? [];
			expect(codex.resources.credentialDocumentation ?? []).toHaveLength(
				new Set(credentials.map((c) => c.name)).size,
			);
		},
	);

	it('every documentation link is a section of the README on the package homepage', () => {
		const urls = nodes.flatMap(({ sourceFile }) => {
			const { primaryDocumentation, credentialDocumentation = [] } = codexOf(sourceFile).resources;
			return [...primaryDocumentation, ...credentialDocumentation].map((d) => d.url);
		});
		for (const url of urls) {
			const [page, anchor] = url.split('#');
			expect({ url, page }).toEqual({ url, page: pkg.homepage });
			expect({ url, anchorInReadme: readmeAnchors.has(anchor) }).toEqual({
				url,
				anchorInReadme: true,
			});
		}
	});

	it("the build puts each codex file beside its .node.js, where n8n's package loader reads it", async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'mail-cases-codex-'));
		try {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const gulpfile = require(path.join(root, 'gulpfile.js')) as {
				copyCodex: (root: string, out: string) => Promise<void>;
			};
			await gulpfile.copyCodex(root, path.join(dir, 'dist'));
			cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
			for (const { distFile } of nodes) {
				expect(existsSync(path.join(dir, distFile.replace(/\.js$/, '.json')))).toBe(true);
			}
			// Stand-ins for the compiled files: each registered dist/ file exports its source's class.
			mkdirSync(path.join(dir, 'dist', 'credentials'), { recursive: true });
			for (const distFile of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
				const source = path.join(root, distFile.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
				writeFileSync(
					path.join(dir, distFile),
					`module.exports = require(${JSON.stringify(source)});\n`,
				);
			}
			process.env.N8N_LOG_LEVEL ??= 'silent';
			const { PackageDirectoryLoader } = await import('n8n-core');
			const loader = new PackageDirectoryLoader(dir);
			await loader.loadAll();
			for (const { sourceFile, description } of nodes) {
				const loaded = loader.nodeTypes[description.name].type as INodeType;
				const codex = codexOf(sourceFile);
				expect(loaded.description.codex).toEqual({
					categories: codex.categories,
					alias: codex.alias,
					resources: {
						primaryDocumentation: codex.resources.primaryDocumentation,
						credentialDocumentation: codex.resources.credentialDocumentation,
					},
				});
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('what the lint rules check no longer, since descriptions live in description.ts', () => {
	const cases = nodes.map((n) => [n.description.name, n] as const);

	it.each(cases)('%s: the file is named for the node', (name, { sourceFile }) => {
		expect(path.basename(sourceFile)).toBe(`${name[0].toUpperCase()}${name.slice(1)}.node.ts`);
		expect(existsSync(path.join(path.dirname(sourceFile), 'description.ts'))).toBe(true);
	});

	it.each(cases)(
		'%s: light and dark icon files exist and differ',
		(_name, { sourceFile, description }) => {
			const icon = description.icon as { light: string; dark: string };
			const files = [icon.light, icon.dark].map((file) => {
				expect(file).toMatch(/^file:.+\.svg$/);
				return path.resolve(path.dirname(sourceFile), file.replace(/^file:/, ''));
			});
			expect(files[0]).not.toBe(files[1]);
			for (const file of files) expect(existsSync(file)).toBe(true);
		},
	);

	it.each(cases)(
		"%s: a credential's testedBy names a credential test of the node",
		(_name, { type, description }) => {
			const tests = new type().methods?.credentialTest ?? {};
			for (const { name, testedBy } of description.credentials ?? []) {
				if (testedBy === undefined) continue;
				expect({ name, test: typeof tests[testedBy as string] }).toEqual({
					name,
					test: 'function',
				});
			}
		},
	);

	it('every credential a node uses has its "Test" button: some node of the package tests it', () => {
		const used = new Set(
			nodes.flatMap((n) => (n.description.credentials ?? []).map((c) => c.name)),
		);
		const tested = new Set(
			nodes.flatMap((n) =>
				(n.description.credentials ?? [])
					.filter((c) => c.testedBy !== undefined)
					.map((c) => c.name),
			),
		);
		expect([...used].filter((name) => !tested.has(name))).toEqual([]);
	});
});
