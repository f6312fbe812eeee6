import { existsSync, globSync } from 'node:fs';
import path from 'node:path';

import type { Config } from '@jest/types';

/** A project needs the mail stack when its setupFiles load this module. */
const STACK_SETUP_FILE = /[\\/]test[\\/]support[\\/]stack-env\.ts$/;

interface RawProject {
	displayName?: string | { name: string };
	setupFiles?: string[];
	testMatch?: string[];
	testRegex?: unknown;
	rootDir?: string;
}

function projectName(p: RawProject): string | undefined {
	return typeof p.displayName === 'string' ? p.displayName : p.displayName?.name;
}

function usesStack(setupFiles: readonly string[] | undefined, rootDir: string): boolean {
	return (setupFiles ?? []).some((f) => STACK_SETUP_FILE.test(f.replace('<rootDir>', rootDir)));
}

/**
 * Values of a yargs array option on the command line (`--name a b`, `--name=a`, kebab-case too);
 * undefined when absent. Jest 30 keeps --selectProjects / --ignoreProjects out of the global
 * config, so the global setup has to read them here.
 */
export function cliList(argv: readonly string[], name: string): string[] | undefined {
	const names = [`--${name}`, `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`];
	let values: string[] | undefined;
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const eq = names.find((n) => a.startsWith(`${n}=`));
		if (eq) {
			(values ??= []).push(a.slice(eq.length + 1));
		} else if (names.includes(a)) {
			values ??= [];
			while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) values.push(argv[++i]);
		}
	}
	return values;
}

function configFile(rootDir: string, argv: readonly string[]): string | undefined {
	const given =
		cliList(argv, 'config') ??
		(argv.includes('-c') ? [argv[argv.indexOf('-c') + 1] ?? ''] : undefined);
	if (given?.length) return path.resolve(given[0]);
	for (const name of ['jest.config.js', 'jest.config.cjs']) {
		const file = path.join(rootDir, name);
		if (existsSync(file)) return file;
	}
	return undefined;
}

/**
 * Decides in a Jest global setup whether any test file of a project that needs the mail stack is
 * part of this run. Jest hands a global setup only the global config and the config of the first
 * scheduled test's project, not the list of tests, so:
 *
 * - configured per project (`globalSetup` inside the projects that need it): Jest itself calls
 *   the hook only when a test of such a project runs, so the answer is yes;
 * - the first scheduled test belongs to a stack project: yes;
 * - configured at the root: the projects whose `setupFiles` load test/support/stack-env.ts are
 *   read from the Jest config, narrowed by --selectProjects / --ignoreProjects (from `argv`), and their
 *   `testMatch` files are matched against the path patterns of the command line. Selections this
 *   cannot reproduce (--onlyChanged, --findRelatedTests, --changedSince, watch mode, testRegex,
 *   another config format) count as yes: starting the stack needlessly costs a second, not
 *   starting it fails every integration test.
 */
export function runNeedsMailStack(
	globalConfig: Config.GlobalConfig,
	projectConfig?: Config.ProjectConfig,
	argv: readonly string[] = process.argv,
): boolean {
	if (!globalConfig.globalSetup) return true;
	if (projectConfig && usesStack(projectConfig.setupFiles, projectConfig.rootDir)) return true;
	if (globalConfig.onlyChanged || globalConfig.findRelatedTests || globalConfig.changedSince)
		return true;
	if (globalConfig.lastCommit || globalConfig.watch || globalConfig.watchAll) return true;

	const rootDir = globalConfig.rootDir;
	const file = configFile(rootDir, argv);
	if (!file) return true;
	let projects: RawProject[];
	try {
		const loaded = require(file) as { projects?: unknown[] } | (() => unknown);
		if (typeof loaded === 'function') return true;
		projects = (loaded.projects ?? []).filter(
			(p): p is RawProject => typeof p === 'object' && p !== null,
		);
	} catch {
		return true;
	}
	const selected = cliList(argv, 'selectProjects');
	const ignored = cliList(argv, 'ignoreProjects') ?? [];
	const stackProjects = projects.filter((p) => {
		const dir = p.rootDir ?? rootDir;
		if (!usesStack(p.setupFiles, dir)) return false;
		const name = projectName(p);
		if (selected && !(name && selected.includes(name))) return false;
		return !(name && ignored.includes(name));
	});
	if (stackProjects.length === 0) return false;

	const patterns = globalConfig.testPathPatterns as unknown as {
		isSet?: () => boolean;
		toExecutor?: (o: { rootDir: string }) => { isMatch: (p: string) => boolean };
	};
	if (!patterns?.isSet?.()) return true;
	if (typeof patterns.toExecutor !== 'function') return true;
	const matcher = patterns.toExecutor({ rootDir });
	for (const p of stackProjects) {
		if (p.testRegex || !p.testMatch) return true;
		const dir = p.rootDir ?? rootDir;
		for (const glob of p.testMatch) {
			if (glob.startsWith('!')) continue;
			const files = globSync(glob.replace('<rootDir>', dir)).filter(
				(f) => !f.includes('node_modules'),
			);
			if (files.some((f) => matcher.isMatch(path.resolve(dir, f)))) return true;
		}
	}
	return false;
}
