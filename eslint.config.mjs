// n8n's community-node rules. We use the variant without n8n Cloud support because the
// package needs runtime dependencies (mail protocols, MIME, database drivers); see README.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'test/**', 'bench/**', 'scripts/**', 'toolchain/**', 'templates/**'] },
];
