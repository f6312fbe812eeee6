/**
 * #11.1 acceptance "Lint fails on a super-linear pattern": ESLint's Node API with the project's
 * eslint.config.mjs lints test/fixtures/lint/*.ts as if they were files in lib/ (where the
 * eslint-plugin-regexp ReDoS rules apply; test/ itself is not linted by `npm run lint`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..', '..');

async function lintAsLib(fixture: string): Promise<ESLint.LintResult> {
	const eslint = new ESLint({ cwd: root });
	const source = readFileSync(join(root, 'test', 'fixtures', 'lint', fixture), 'utf8');
	const [result] = await eslint.lintText(source, { filePath: join(root, 'lib', fixture) });
	return result;
}

jest.setTimeout(120_000);

describe('#11.1 lint: the regexp ReDoS rules are part of npm run lint', () => {
	it('#11.1 lint rejects nested quantifiers, shared runs, unanchored trailing runs, misleading groups', async () => {
		const result = await lintAsLib('super-linear.ts');
		const byLine = result.messages.map((m) => `${m.line} ${m.ruleId} ${m.severity}`);
		expect(byLine).toEqual(
			expect.arrayContaining([
				'5 regexp/no-super-linear-backtracking 2',
				'8 regexp/no-super-linear-backtracking 2',
				'11 regexp/no-super-linear-move 2',
				'14 regexp/no-misleading-capturing-group 2',
			]),
		);
		expect(result.errorCount).toBeGreaterThanOrEqual(4);
	});

	it('#11.1 lint accepts the linear forms of the same patterns', async () => {
		const result = await lintAsLib('linear.ts');
		expect(result.messages).toEqual([]);
	});
});
