/**
 * Issue #12.5: the editor says what a field does in the user's words. Requirement ids such as
 * "R-PROC-3" belong to the tests and docs (SPEC.md, README), never to a string n8n shows: not in a
 * node's or credential's description (names, descriptions, hints, notices, options, placeholders,
 * …), nor in any string literal of nodes/ and credentials/ (notices and messages at run time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { packageCredentialTypes, registeredNodes } from '../../support/package-nodes';

const REQUIREMENT_ID = /\bR-[A-Z]+(?:-\d+[a-z]?)?\b/;
const root = path.resolve(__dirname, '..', '..', '..');

/** Every string inside `value`, with where it is ("properties.3.options.1.description"). */
function stringsIn(value: unknown, where = ''): Array<{ where: string; text: string }> {
	if (typeof value === 'string') return [{ where, text: value }];
	if (value === null || typeof value !== 'object') return [];
	return Object.entries(value).flatMap(([key, inner]) =>
		stringsIn(inner, where ? `${where}.${key}` : key),
	);
}

/** The string literals and template texts of a TypeScript file (comments are not tokens). */
function literalsIn(file: string): Array<{ where: string; text: string }> {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
	const found: Array<{ where: string; text: string }> = [];
	const visit = (node: ts.Node): void => {
		if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
			const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
			found.push({ where: `${path.relative(root, file)}:${line + 1}`, text: node.text });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

function typeScriptFilesUnder(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
		.map((entry) => path.join(entry.parentPath, entry.name));
}

function withRequirementIds(strings: Array<{ where: string; text: string }>): string[] {
	return strings.filter((s) => REQUIREMENT_ID.test(s.text)).map((s) => `${s.where}: ${s.text}`);
}

describe('editor strings carry no requirement ids (#12.5)', () => {
	it('the check itself finds an id in a nested option description and in a literal', () => {
		const description = { properties: [{ options: [{ description: 'Sends it (R-OUT-7)' }] }] };
		expect(withRequirementIds(stringsIn(description))).toEqual([
			'properties.0.options.0.description: Sends it (R-OUT-7)',
		]);
		expect(withRequirementIds([{ where: 'x', text: 'R-PROC-6b: opens a case' }])).toHaveLength(1);
		expect(withRequirementIds([{ where: 'x', text: 'CR-LF, R-2, X-Mailer' }])).toEqual([]);
	});

	it.each(registeredNodes().map(({ type }) => [new type().description.name, type] as const))(
		'node %s: no string of its description',
		(_name, type) => {
			expect(withRequirementIds(stringsIn(new type().description))).toEqual([]);
		},
	);

	it.each(packageCredentialTypes().map((type) => [new type().name, type] as const))(
		'credential %s: no string of its description',
		(_name, type) => {
			expect(withRequirementIds(stringsIn(new type()))).toEqual([]);
		},
	);

	it('no string literal in nodes/ and credentials/ (notices and messages included)', () => {
		const files = ['nodes', 'credentials'].flatMap((dir) =>
			typeScriptFilesUnder(path.join(root, dir)),
		);
		expect(files.length).toBeGreaterThan(20);
		expect(withRequirementIds(files.flatMap(literalsIn))).toEqual([]);
	});
});
