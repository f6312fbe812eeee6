#!/usr/bin/env node
// Benchmark runner: `npm run bench` (= scripts/with-node.sh node bench/run.js).
//
//   node bench/run.js            run every bench/<name>/index.ts|js, in name order
//   node bench/run.js store ...  run only the named ones
//   node bench/run.js n8n --mails=200 --rounds=1   options (arguments starting with "--") go
//                                to every benchmark's main(args)
//
// Each benchmark runs in its own Node process (a fresh heap, no interference). A benchmark is
// a module whose export `main` (or default export, or module.exports function) is awaited; a
// module without such an export simply runs on require. A thrown error fails the run.
//
// TypeScript: benchmarks import the engine from lib/ directly (`../../lib/store`), so they need
// no prior `npm run build` and always measure the current sources. Node's own type stripping
// cannot load lib/ (extension-less imports, CommonJS), so this runner installs the require hook
// of test/support/register-ts.js (transpile only, no type check — `npm run typecheck` covers
// types). Plain .js benchmarks work as well.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function registerTypeScript() {
	require('../test/support/register-ts');
}

async function runChild(file, args) {
	registerTypeScript();
	const mod = require(path.resolve(file));
	const main = typeof mod === 'function' ? mod : (mod.main ?? mod.default);
	if (typeof main === 'function') await main(args);
}

function findBenchmarks(names) {
	const dir = __dirname;
	const found = [];
	for (const entry of fs
		.readdirSync(dir, { withFileTypes: true })
		.sort((a, b) => a.name.localeCompare(b.name))) {
		if (!entry.isDirectory() || entry.name === 'results') continue;
		if (names.length > 0 && !names.includes(entry.name)) continue;
		const file = ['index.ts', 'index.js']
			.map((f) => path.join(dir, entry.name, f))
			.find((f) => fs.existsSync(f));
		if (file) found.push({ name: entry.name, file });
	}
	const missing = names.filter((n) => !found.some((b) => b.name === n));
	if (missing.length > 0)
		throw new Error(`no benchmark named ${missing.join(', ')} (bench/<name>/index.ts|js)`);
	return found;
}

async function runAll(argv) {
	const names = argv.filter((a) => !a.startsWith('--'));
	const options = argv.filter((a) => a.startsWith('--'));
	const benchmarks = findBenchmarks(names);
	let failed = 0;
	for (const bench of benchmarks) {
		process.stdout.write(`\n=== bench/${bench.name} ===\n`);
		const started = Date.now();
		const code = await new Promise((resolve) => {
			const child = spawn(process.execPath, [__filename, '--child', bench.file, ...options], {
				stdio: 'inherit',
			});
			child.on('close', (c, signal) => resolve(signal ? 1 : c));
		});
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		process.stdout.write(
			`=== bench/${bench.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s ===\n`,
		);
		if (code !== 0) failed++;
	}
	if (benchmarks.length === 0) process.stdout.write('no benchmarks found\n');
	process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[2] === '--child') {
	runChild(process.argv[3], process.argv.slice(4)).catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
} else {
	runAll(process.argv.slice(2)).catch((error) => {
		console.error(error.message);
		process.exitCode = 1;
	});
}
