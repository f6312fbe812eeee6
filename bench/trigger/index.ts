/**
 * Trigger benchmark (issue #4): `npm run bench -- trigger`.
 *
 * Starts a private Dovecot/Postfix stack, then for each scenario plants BENCH_MAILS (default
 * 2,000) mails made from the corpus into a fresh mailbox over LMTP and drains it:
 *   - the raw limit: imapflow fetch + mailparser parse + delete, no n8n, in the same run;
 *   - the Mail Cases Trigger through n8n's engine with 1, 10 and 20 mails per execution;
 *   - one mail with a 40 MB attachment through the trigger (peak RSS).
 * Each scenario runs in its own process; peak RSS is that process's maxRSS. Results are printed
 * as a table and written to bench/results/trigger.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { startMailStack, writeDescription, STACK_ENV } from '../../test/support/mail-stack';
import { corpusMails } from './corpus-mails';

const MAILS = Number(process.env.BENCH_MAILS ?? 2000);

type Result = { scenario: string; mails: number; seconds: number; mailsPerSecond: number; peakRssMb: number };

async function plant(stack: { host: string; ports: { lmtp: number }; domain: string; caPem: string }, user: string, mails: Buffer[]): Promise<void> {
	const transport = nodemailer.createTransport({ lmtp: true, host: stack.host, port: stack.ports.lmtp, pool: true, maxConnections: 2, maxMessages: 100000, tls: { ca: stack.caPem } } as never);
	const to = `${user}@${stack.domain}`;
	const queue = [...mails];
	const worker = async () => {
		for (let raw = queue.shift(); raw; raw = queue.shift()) {
			await transport.sendMail({ envelope: { from: 'bench@external.test', to: [to] }, raw });
		}
	};
	await Promise.all([worker(), worker()]);
	transport.close();
}

function runScenario(args: string[], env: NodeJS.ProcessEnv): Omit<Result, 'scenario'> {
	const runner = path.join(__dirname, '..', 'run.js');
	const child = spawnSync(process.execPath, ['--max-old-space-size=4096', runner, '--child', path.join(__dirname, 'scenario.ts'), ...args], {
		env,
		encoding: 'utf8',
		timeout: 30 * 60_000,
	});
	const line = child.stdout.trim().split('\n').pop() ?? '';
	if (child.status !== 0 || !line.startsWith('{')) throw new Error(`scenario ${args.join(' ')} failed:\n${child.stdout}\n${child.stderr}`);
	return JSON.parse(line);
}

export async function main(): Promise<void> {
	const stack = await startMailStack();
	const file = writeDescription(stack.describe());
	const env = { ...process.env, [STACK_ENV]: file, N8N_LOG_LEVEL: 'silent' };
	const results: Result[] = [];
	try {
		const mails = corpusMails(MAILS);
		const scenarios: Array<[string, string[]]> = [
			['raw limit (imapflow + mailparser + delete, no n8n)', ['raw']],
			['trigger, 1 mail per execution', ['trigger', '1']],
			['trigger, 10 mails per execution', ['trigger', '10']],
			['trigger, 20 mails per execution', ['trigger', '20']],
		];
		let n = 1;
		for (const [scenario, args] of scenarios) {
			const user = `user${String(n++).padStart(2, '0')}`;
			await plant(stack, user, mails);
			const result = runScenario([args[0], user, String(MAILS), args[1] ?? '1'], env);
			results.push({ scenario, ...result });
			process.stdout.write(`${scenario}: ${result.mailsPerSecond} mails/s, peak RSS ${result.peakRssMb} MB\n`);
		}
		const big = Buffer.concat([
			Buffer.from(`From: big@kunde.test\r\nTo: x@example.test\r\nSubject: 40 MB\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.bin\r\n\r\n`),
			Buffer.from(Buffer.alloc(40 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n')),
			Buffer.from('\r\n--b--\r\n'),
		]);
		const bigUser = `user${String(n++).padStart(2, '0')}`;
		await plant(stack, bigUser, [big]);
		const bigResult = runScenario(['trigger', bigUser, '1', '1', '100'], env);
		results.push({ scenario: 'trigger, one mail with a 40 MB attachment', ...bigResult });
	} finally {
		await stack.stop();
	}
	console.table(results);
	const dir = path.join(__dirname, '..', 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, 'trigger.json'), JSON.stringify({ mails: MAILS, results, at: new Date().toISOString() }, null, 2));
}
