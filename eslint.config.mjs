// n8n's community-node rules (@n8n/node-cli), in the variant without n8n Cloud support: this
// package is for self-hosted n8n because it needs runtime dependencies (mail protocols, MIME,
// database drivers). Deviations, each with its reason:
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import regexpPlugin from 'eslint-plugin-regexp';

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
