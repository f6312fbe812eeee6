/**
 * The private npm registry of the e2e tests (support/local-registry.ts, Verdaccio on loopback):
 * the packed package is published as 0.1.0 and, repacked, as 0.1.1; npm lists both, installs
 * 0.1.1 with its dependency tree from the registry alone, and a package that was not published
 * here (a real public one) is a 404 at once: nothing is fetched from outside. Needs no n8n.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	readTarballManifest,
	startLocalRegistry,
	type LocalRegistry,
} from './support/local-registry';
import { packedTarball } from './support/package-tarball';

const PACKAGE = 'n8n-nodes-mail-cases';

describe('local npm registry (Verdaccio on loopback)', () => {
	let registry: LocalRegistry;
	let tarball: string;
	const folders: string[] = [];

	const tempFolder = () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-e2e-registry-test-'));
		folders.push(dir);
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: 'registry-test', private: true }),
		);
		return dir;
	};

	beforeAll(async () => {
		tarball = packedTarball();
		registry = await startLocalRegistry();
	}, 600_000);

	afterAll(async () => {
		await registry?.stop();
		for (const dir of folders) rmSync(dir, { recursive: true, force: true });
	});

	test('publishes the packed package as 0.1.0 and, repacked, as 0.1.1; npm lists both', async () => {
		const { version } = readTarballManifest(tarball) as { version: string };
		expect(version).not.toBe('0.1.1');
		expect(await registry.publish(tarball)).toEqual({ name: PACKAGE, version });
		expect(await registry.publishAs(tarball, '0.1.1')).toEqual({ name: PACKAGE, version: '0.1.1' });

		const cwd = tempFolder();
		const versions = JSON.parse(
			await registry.npm(
				['view', PACKAGE, 'versions', '--json', `--registry=${registry.url}`],
				cwd,
			),
		) as string[];
		expect(versions).toEqual([version, '0.1.1']);
		const latest = await registry.npm(['view', PACKAGE, 'dist-tags.latest'], cwd);
		expect(latest.trim()).toBe('0.1.1');
	}, 300_000);

	test('npm installs 0.1.1 with its whole dependency tree from the registry alone', async () => {
		const cwd = tempFolder();
		// n8n's installer drops peerDependencies (n8n-workflow is n8n's own) before `npm install`;
		// --legacy-peer-deps is the same for a plain npm.
		await registry.npm(
			[
				'install',
				`${PACKAGE}@0.1.1`,
				'--legacy-peer-deps',
				'--ignore-scripts',
				'--loglevel=error',
				`--registry=${registry.url}`,
			],
			cwd,
			300_000,
		);
		const installed = path.join(cwd, 'node_modules', PACKAGE);
		const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
			version: string;
			dependencies: Record<string, string>;
			n8n: { nodes: string[] };
		};
		expect(pkg.version).toBe('0.1.1');
		for (const dependency of Object.keys(pkg.dependencies)) {
			const where = [installed, cwd].map((base) =>
				path.join(base, 'node_modules', dependency, 'package.json'),
			);
			expect({ dependency, installed: where.some((file) => existsSync(file)) }).toEqual({
				dependency,
				installed: true,
			});
		}
		for (const node of pkg.n8n.nodes) {
			expect(readFileSync(path.join(installed, node), 'utf8')).toContain('exports.');
		}
		// Every tarball came from the local registry.
		const lock = JSON.parse(readFileSync(path.join(cwd, 'package-lock.json'), 'utf8')) as {
			packages: Record<string, { resolved?: string }>;
		};
		const resolved = Object.entries(lock.packages)
			.filter(([key]) => key)
			.map(([, entry]) => entry.resolved ?? '');
		expect(resolved.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
		expect(resolved.filter((url) => !url.startsWith(registry.url))).toEqual([]);
	}, 360_000);

	test('a package that was not published here is a 404 at once (no uplink)', async () => {
		const cwd = tempFolder();
		// A real public package outside our dependency tree.
		const error = await registry
			.npm(['view', 'left-pad', 'version', `--registry=${registry.url}`], cwd, 60_000)
			.then(
				() => undefined,
				(e: Error & { stderr: string; killed: boolean }) => e,
			);
		expect(error).toBeDefined();
		expect(error!.killed).toBe(false);
		expect(error!.stderr).toMatch(/E404/);
		const res = await fetch(`${registry.url}left-pad`, { signal: AbortSignal.timeout(30_000) });
		await res.arrayBuffer();
		expect(res.status).toBe(404);
	}, 120_000);
});
