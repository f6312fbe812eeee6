// Lets a plain `node` process require the project's TypeScript sources (lib/, test/support)
// — child processes of tests (they cannot use ts-jest) and benchmarks (bench/run.js). Each .ts file is transpiled to
// CommonJS with the project's own TypeScript compiler, without type checking.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		fileName: filename,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			esModuleInterop: true,
			sourceMap: false,
			inlineSourceMap: true,
		},
	});
	module._compile(outputText, filename);
};
