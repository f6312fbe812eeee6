/**
 * n8n's package scanner (@n8n/scan-community-package, pinned in this folder) on the packed
 * package, offline. Run by scripts/scan-package.sh:
 *
 *   node -r ./test/support/register-ts.js test/e2e/registry/scan.ts <package.tgz>
 *
 * The scanner's CLI (`analyzePackageByName`) cannot run here: it reads the package's metadata
 * from a registry URL written into scanner.mjs (not npm's configured registry), requires npm
 * provenance (a signed attestation only the public registry issues to a CI publish) and
 * downloads the attested source commit from GitHub. So this runs its parts one by one, with the
 * scanner's own exported code and rule set:
 *   1. the tarball is published to the local registry (support/local-registry.ts) and fetched
 *      back with `npm pack <name>@<version>`, as the scanner's download step does;
 *   2. provenance: the scanner's `checkPackageProvenance` on the local packument (reported, not
 *      counted: a local publish has none by nature);
 *   3. the source leg: `analyzePackage(<repository>, SOURCE_FILE_PATTERNS)` (package.json and
 *      nodes/, credentials/ sources, as on the attested commit);
 *   4. the tarball leg: `analyzePackage(<unpacked tarball>, ['**\/*.js', 'package.json'])`.
 * Every finding is printed (ESLint's report); each is either listed in scan-accepted.json (rule,
 * files, why — a deliberate design the README explains) or it fails the run (exit 1). A rule that
 * crashes (no report, "Analysis failed") fails it too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT } from '../support/harness-folder';
import {
	readTarballManifest,
	REGISTRY_TOOLS_DIR,
	startLocalRegistry,
} from '../support/local-registry';

interface AnalysisResult {
	passed: boolean;
	message?: string;
	details?: string;
}
interface Scanner {
	SOURCE_FILE_PATTERNS: string[];
	analyzePackage(dir: string, patterns: string[]): Promise<AnalysisResult>;
}
interface Provenance {
	checkPackageProvenance(
		packument: unknown,
		version: string,
	): { passed: boolean; message?: string };
}
interface Accepted {
	leg: 'source' | 'tarball';
	rule: string;
	files: string[];
	why: string;
}
interface Finding {
	leg: 'source' | 'tarball';
	file: string;
	line: string;
	message: string;
	rule: string;
}

const SCANNER = '@n8n/scan-community-package';

/** `*` within a path segment, `**` across segments. */
function globToRegExp(glob: string): RegExp {
	const body = glob
		.split('**')
		.map((part) =>
			part
				.split('*')
				.map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
				.join('[^/]*'),
		)
		.join('.*');
	return new RegExp(`^${body}$`);
}

// ESLint's "stylish" report: a file's path, then "  line:col  error  message  rule" lines.
const ISSUE = /^\s+(\d+:\d+)\s+(?:error|warning)\s+(.*?)\s{2,}(\S+)\s*$/;
const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g');

function parseReport(leg: Finding['leg'], root: string, details: string): Finding[] {
	const findings: Finding[] = [];
	let file = '';
	for (const raw of details.replace(ANSI, '').split('\n')) {
		if (raw.startsWith('/')) file = path.relative(root, raw.trim());
		const m = ISSUE.exec(raw);
		if (m && file) findings.push({ leg, file, line: m[1], message: m[2], rule: m[3] });
	}
	return findings;
}

async function main(tarball: string): Promise<number> {
	const load = createRequire(path.join(REGISTRY_TOOLS_DIR, 'package.json'));
	const scanner = load(`${SCANNER}/scanner/scanner.mjs`) as Scanner;
	const provenance = load(`${SCANNER}/scanner/provenance.mjs`) as Provenance;
	const scannerVersion = (load(`${SCANNER}/package.json`) as { version: string }).version;
	const accepted = JSON.parse(
		readFileSync(path.join(__dirname, 'scan-accepted.json'), 'utf8'),
	) as Accepted[];
	const { name, version } = readTarballManifest(tarball) as { name: string; version: string };
	const label = `${name}@${version}`;
	console.log(`scan: ${SCANNER} ${scannerVersion} on ${label} (${tarball}), offline`);

	const registry = await startLocalRegistry({ seedDependencies: false });
	const work = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-scan-'));
	try {
		await registry.publish(tarball);
		console.log(`scan: published ${label} to the local registry ${registry.url}`);

		const packument = (await (
			await fetch(`${registry.url}${name}`, { signal: AbortSignal.timeout(30_000) })
		).json()) as unknown;
		const prov = provenance.checkPackageProvenance(packument, version);
		console.log(
			`scan: provenance ${prov.passed ? 'passed' : `not given (${prov.message})`} - not counted offline: only the public registry attests a CI publish`,
		);

		const packed = (await registry.npm(['pack', label, '--quiet'], work)).trim();
		const packageDir = path.join(work, 'package');
		execFileSync('mkdir', ['-p', packageDir]);
		execFileSync('tar', [
			'-xzf',
			path.join(work, packed),
			'-C',
			packageDir,
			'--strip-components=1',
		]);
		console.log(`scan: fetched ${packed} back from the registry`);

		const legs: Array<{ leg: Finding['leg']; root: string; result: AnalysisResult }> = [
			{
				leg: 'source',
				root: REPO_ROOT,
				result: await scanner.analyzePackage(REPO_ROOT, scanner.SOURCE_FILE_PATTERNS),
			},
			{
				leg: 'tarball',
				root: packageDir,
				result: await scanner.analyzePackage(packageDir, ['**/*.js', 'package.json']),
			},
		];

		let failed = false;
		const used = new Set<Accepted>();
		for (const { leg, root, result } of legs) {
			console.log(`\n=== ${leg} leg: ${result.passed ? 'passed' : result.message} ===`);
			if (result.passed) continue;
			if (!result.details) {
				console.log('FAIL: the scanner stopped without a report (a rule crashed?)');
				failed = true;
				continue;
			}
			console.log(result.details.replace(ANSI, ''));
			const findings = parseReport(leg, root, result.details);
			const fresh: Finding[] = [];
			for (const f of findings) {
				const hit = accepted.find(
					(a) =>
						a.leg === leg && a.rule === f.rule && a.files.some((g) => globToRegExp(g).test(f.file)),
				);
				if (hit) used.add(hit);
				else fresh.push(f);
			}
			console.log(
				`${leg} leg: ${findings.length} findings, ${findings.length - fresh.length} accepted (scan-accepted.json), ${fresh.length} not`,
			);
			for (const f of fresh)
				console.log(`  NOT ACCEPTED ${f.file}:${f.line} ${f.rule}: ${f.message}`);
			if (fresh.length > 0 || findings.length === 0) failed = true;
		}
		console.log('\nAccepted findings (scan-accepted.json):');
		for (const a of accepted) {
			console.log(
				`  ${used.has(a) ? 'seen  ' : 'unseen'} ${a.leg} ${a.rule} [${a.files.join(', ')}]: ${a.why}`,
			);
		}
		console.log(
			failed ? `\nscan: ${label} FAILED` : `\nscan: ${label} passed (every finding accepted)`,
		);
		return failed ? 1 : 0;
	} finally {
		rmSync(work, { recursive: true, force: true });
		await registry.stop();
	}
}

main(path.resolve(process.argv[2] ?? '')).then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(`scan: ${error.stack ?? error.message}`);
		process.exit(2);
	},
);
