// Three projects: fast unit tests, integration tests against real servers (Dovecot, Postfix,
// PostgreSQL), and workflows run by the real n8n engine. The mail stack is started once per
// run by the global setup and stopped by the global teardown.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
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
	],
};
