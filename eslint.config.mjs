// n8n's community-node rules (@n8n/node-cli), in the variant without n8n Cloud support: this
// package is for self-hosted n8n because it needs runtime dependencies (mail protocols, MIME,
// database drivers). Deviations, each with its reason:
import { readdirSync } from 'node:fs';
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import regexpPlugin from 'eslint-plugin-regexp';

const root = import.meta.dirname;

/**
 * Issue #12.4, "arrows point one way" (CONTRIBUTING.md, Layers): what each part may import.
 * lib/ bottom to top: errors.ts and secret-echo.ts, mail, intake, protocols, store, cases;
 * a layer imports only layers below it. Then nodes/shared, then each node's own folder;
 * credentials/ stand beside the nodes. Paths are resolved (import-x with the TypeScript
 * resolver that @n8n/node-cli's config registers), so `../..` tricks do not get around it.
 */
const LIB_LAYERS = ['mail', 'intake', 'protocols', 'store', 'cases'];
const nodeFolders = readdirSync(`${root}/nodes`, { withFileTypes: true })
	.filter((entry) => entry.isDirectory() && entry.name !== 'shared')
	.map((entry) => entry.name);
const layerZones = [
	{
		target: './lib',
		from: ['./nodes', './credentials'],
		message: 'lib/ is the engine: it knows nothing of the n8n adapters in nodes/ and credentials/.',
	},
	{
		target: ['./lib/errors.ts', './lib/secret-echo.ts'],
		from: LIB_LAYERS.map((layer) => `./lib/${layer}`),
		message: 'lib/errors.ts and lib/secret-echo.ts are the bottom layer of lib/.',
	},
	...LIB_LAYERS.slice(0, -1).map((layer, index) => {
		const below = ['errors.ts', ...LIB_LAYERS.slice(0, index)].map((name) => `lib/${name}`);
		return {
			target: `./lib/${layer}`,
			from: LIB_LAYERS.slice(index + 1).map((above) => `./lib/${above}`),
			message: `lib/${layer} may import only the layers below it (${below.join(', ')}); see CONTRIBUTING.md, Layers.`,
		};
	}),
	{
		target: './credentials',
		from: './nodes',
		message: 'Credentials do not import nodes.',
	},
	{
		target: './nodes/shared',
		from: './nodes',
		except: ['./shared'],
		message: 'nodes/shared is used by the nodes and imports none of them.',
	},
	...nodeFolders.map((name) => ({
		target: `./nodes/${name}`,
		from: './nodes',
		except: [`./${name}`, './shared'],
		message:
			"A node never imports another node's folder; move what several nodes share to nodes/shared/.",
	})),
];

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'test/**', 'bench/**', 'scripts/**', 'toolchain/**', 'templates/**', 'docs/**'] },
	{
		files: ['package.json'],
		rules: {
			// The reason we use the non-Cloud config: IMAP, MIME, SQL drivers cannot be bundled away.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		rules: {
			// The "-Api" suffix rules are written for HTTP API credentials. Ours are mail server
			// profiles, like n8n's own built-in `smtp` and `imap` credentials, which carry no suffix.
			'n8n-nodes-base/cred-class-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
			'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off',
		},
	},
	{
		// Every node is `<Node>.node.ts` (class, methods, execute) + `description.ts` (its editor
		// description, which the node-class-description rules still lint there). These three rules
		// read only a description literal inside the class of `<Node>.node.ts`;
		// test/unit/nodes/package-shape.test.ts checks instead, on the loaded nodes, that each
		// node's name matches its file, that its icon files exist and that every credential it
		// uses names a credential test the node has.
		files: ['nodes/*/description.ts'],
		rules: { 'n8n-nodes-base/node-filename-against-convention': 'off' },
	},
	{
		files: ['nodes/*/*.node.ts'],
		rules: { '@n8n/community-nodes/icon-validation': 'off' },
	},
	{
		files: ['credentials/*.credentials.ts'],
		rules: { '@n8n/community-nodes/credential-test-required': 'off' },
	},
	{
		files: ['lib/**/*.ts'],
		rules: {
			// lib/ is the engine and knows nothing of n8n; it throws MailCasesError, and the
			// adapters in nodes/ map those to NodeApiError / NodeOperationError.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		files: ['lib/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: {
			'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
		},
	},
	{
		files: ['lib/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['n8n-workflow', 'n8n-workflow/*', 'n8n-core', 'n8n-core/*', '@n8n/*'],
							message:
								'lib/ imports nothing of n8n: it throws MailCasesError and the adapters in nodes/ map it.',
						},
					],
				},
			],
		},
	},
	{
		// Every byte of an incoming mail comes from a stranger (issue #11.1): a regex whose time is
		// super-linear in its input lets one mail block the event loop. These rules of
		// eslint-plugin-regexp reject such patterns statically (test/unit/hostile/lint-rules.test.ts
		// shows it on test/fixtures/lint/); they cannot see patterns built with `new RegExp`, which
		// test/unit/hostile/ feeds a ≥ 1 MB worst case each, and `npm run bench -- hostile` times.
		files: ['lib/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		plugins: { regexp: regexpPlugin },
		rules: {
			'regexp/no-super-linear-backtracking': 'error',
			'regexp/no-super-linear-move': 'error',
			'regexp/no-misleading-capturing-group': 'error',
			'regexp/no-useless-quantifier': 'error',
		},
	},
];
