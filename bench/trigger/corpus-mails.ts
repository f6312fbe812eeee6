import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Messages for the benchmark, made from ../shared/corpus (real mails of other projects' test
 * suites): the listed messages (not tagged malformed) under 200 KB, cycled to `count`, each with a fresh Message-ID so
 * that every planted mail is distinct.
 */
export function corpusMails(count: number): Buffer[] {
	const corpus = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
	const index = path.join(corpus, 'INDEX.tsv');
	if (!existsSync(index)) throw new Error(`corpus not found at ${corpus}: the trigger benchmark plants mails made from it`);
	const files = readFileSync(index, 'utf8')
		.split('\n')
		.slice(1)
		.map((line) => line.split('\t'))
		.filter((cols) => cols.length > 2 && !(cols[3] ?? '').includes('malformed'))
		.map(([source, file]) => path.join(corpus, source, file))
		.filter((file) => existsSync(file) && statSync(file).isFile());
	const sources = files.map((file) => readFileSync(file)).filter((raw) => raw.length < 200_000 && raw.includes('\n'));
	const mails: Buffer[] = [];
	for (let i = 0; i < count; i++) {
		const raw = sources[i % sources.length];
		const headerEnd = raw.indexOf('\n\n') >= 0 ? raw.indexOf('\n\n') : raw.indexOf('\r\n\r\n');
		const head = raw.subarray(0, Math.max(headerEnd, 0)).toString('latin1').replace(/^message-id:.*(\r?\n[ \t].*)*\r?\n?/gim, '');
		const body = raw.subarray(Math.max(headerEnd, 0));
		mails.push(Buffer.concat([Buffer.from(`Message-ID: <bench-${i}@bench.test>\r\n${head}`, 'latin1'), body]));
	}
	return mails;
}
