/**
 * #12.4 acceptance "The lint rules fail on a violating fixture": ESLint's Node API with the
 * project's eslint.config.mjs lints test/fixtures/lint/boundaries/*.ts.txt as if each were a
 * file at the place named below, so the import paths resolve as they would there. The layers
 * (CONTRIBUTING.md, Layers): lib/errors.ts < mail < intake < protocols < store < cases <
 * nodes/shared < nodes/<Node>; lib/ imports nothing of n8n, nodes/ or credentials/.
 * (The fixtures end in .txt: their imports resolve only at the place they are linted as.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

async function lintAs(fixture: string, asFile: string): Promise<ESLint.LintResult> {
	const eslint = new ESLint({ cwd: root });
	const source = readFileSync(
		join(root, 'test', 'fixtures', 'lint', 'boundaries', fixture),
		'utf8',
	);
	const [result] = await eslint.lintText(source, { filePath: join(root, asFile) });
	return result;
}

const byLine = (result: ESLint.LintResult) =>
	result.messages.map((m) => `${m.line} ${m.ruleId} ${m.severity}`);

jest.setTimeout(120_000);

describe('#12.4 lint: arrows point one way', () => {
	it('#12.4 lib/mail importing n8n, nodes/, cases, protocols, store or intake is an error', async () => {
		const result = await lintAs('lib-mail-imports-upward.ts.txt', 'lib/mail/fixture.ts');
		expect(byLine(result)).toEqual([
			'3 no-restricted-imports 2',
			'4 import-x/no-restricted-paths 2',
			'5 import-x/no-restricted-paths 2',
			'6 import-x/no-restricted-paths 2',
			'7 import-x/no-restricted-paths 2',
			'8 import-x/no-restricted-paths 2',
		]);
		expect(result.messages[0].message).toContain('lib/ imports nothing of n8n');
		expect(result.messages[1].message).toContain('knows nothing of the n8n adapters');
		expect(result.messages[2].message).toContain('lib/mail may import only the layers below it');
	});

	it('#12.4 lib/protocols importing cases or the store is an error; lib/mail is allowed', async () => {
		const result = await lintAs('lib-protocols-imports-store.ts.txt', 'lib/protocols/fixture.ts');
		expect(byLine(result)).toEqual([
			'3 import-x/no-restricted-paths 2',
			'5 import-x/no-restricted-paths 2',
		]);
	});

	it("#12.4 a node importing another node's folder is an error; nodes/shared is allowed", async () => {
		const result = await lintAs('node-imports-other-node.ts.txt', 'nodes/AddToCase/fixture.ts');
		expect(byLine(result)).toEqual(['3 import-x/no-restricted-paths 2']);
		expect(result.messages[0].message).toContain("never imports another node's folder");
	});

	it('#12.4 lib/cases may import every layer below it', async () => {
		const result = await lintAs('layers-in-order.ts.txt', 'lib/cases/fixture.ts');
		expect(result.messages).toEqual([]);
	});

	it('#12.4 a node may import n8n, lib/, nodes/shared and its own folder', async () => {
		const result = await lintAs('node-in-order.ts.txt', 'nodes/AddToCase/fixture.ts');
		expect(result.messages).toEqual([]);
	});

	it('#12.4 the same rule guards lib/store against lib/cases', async () => {
		const source = "import { pickCase } from '../cases/matching';\n\nexport const up = pickCase;\n";
		const [result] = await new ESLint({ cwd: root }).lintText(source, {
			filePath: join(root, 'lib', 'store', 'fixture.ts'),
		});
		expect(byLine(result)).toEqual(['1 import-x/no-restricted-paths 2']);
	});
});
