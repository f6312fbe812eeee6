// Three projects: fast unit tests, integration tests against real servers (Dovecot, Postfix,
// PostgreSQL), and workflows run by the real n8n engine. The mail stack is started once per
// run by the global setup and stopped by the global teardown.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
	// The e2e harness folders hold whole n8n installations; Jest's module map need not see them.
	modulePathIgnorePatterns: ['<rootDir>/test/e2e/n8n-[^/]+/'],
};
module.exports = {
	globalSetup: '<rootDir>/test/support/global-setup.ts',
	globalTeardown: '<rootDir>/test/support/global-teardown.ts',
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{
			...common,
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			setupFiles: ['<rootDir>/test/support/stack-env.ts'],
		},
		{
			...common,
			displayName: 'workflows',
			testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
			setupFiles: ['<rootDir>/test/support/stack-env.ts'],
		},
		// The packed package inside real n8n servers (test/e2e/n8n-<version>/, installed by
		// scripts/e2e-install.sh). Run with `npm run test:e2e`. Test files sit directly in test/e2e/
		// (no `**`: the harness folders hold n8n's node_modules); the project's global setup builds
		// and packs the package once per run.
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/*.test.ts'],
			setupFiles: ['<rootDir>/test/support/stack-env.ts'],
			globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
			globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
		},
	],
};
