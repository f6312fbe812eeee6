/**
 * Issue #12.6: `npm run lint` runs `prettier --check` (script format:check) with the project's
 * .prettierrc.js over what `npm run format` writes, so an unformatted file fails the lint.
 * Shown with prettier's own API on the fixtures of test/fixtures/prettier/ (kept out of the
 * check by .prettierignore, so the unformatted one stays as it is).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';

const root = path.resolve(__dirname, '..', '..');
const fixture = (name: string) => path.join(root, 'test', 'fixtures', 'prettier', name);
const scripts = (
	JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
		scripts: Record<string, string>;
	}
).scripts;

async function isFormatted(file: string): Promise<boolean> {
	const config = await prettier.resolveConfig(file, { editorconfig: false });
	expect(config).toMatchObject({ useTabs: true, singleQuote: true, printWidth: 100 });
	return prettier.check(readFileSync(file, 'utf8'), { ...config, filepath: file });
}

describe('formatting check (#12.6)', () => {
	it('fails on unformatted code with the project configuration', async () => {
		expect(await isFormatted(fixture('unformatted.ts'))).toBe(false);
	});

	it('passes the same code formatted', async () => {
		expect(await isFormatted(fixture('formatted.ts'))).toBe(true);
	});

	it('npm run lint runs prettier --check over the files npm run format writes', () => {
		expect(scripts.lint).toMatch(/&& npm run format:check$/);
		const targets = (script: string) => script.replace(/^.*prettier --(?:check|write) /, '');
		expect(scripts['format:check']).toContain('prettier --check ');
		expect(targets(scripts['format:check'])).toBe(targets(scripts.format));
		expect(targets(scripts['format:check']).split(' ')).toEqual(
			expect.arrayContaining(['nodes', 'credentials', 'lib', 'index.ts']),
		);
	});

	it('checks product and test code, leaves the fixtures alone', async () => {
		const ignorePath = ['.gitignore', '.prettierignore'].map((f) => path.join(root, f));
		const ignored = async (file: string) =>
			(await prettier.getFileInfo(path.join(root, file), { ignorePath })).ignored;
		expect(await ignored('nodes/shared/errors.ts')).toBe(false);
		expect(await ignored('lib/errors.ts')).toBe(false);
		expect(await ignored('test/unit/formatting.test.ts')).toBe(false);
		expect(await ignored('test/fixtures/prettier/unformatted.ts')).toBe(true);
	});
});
