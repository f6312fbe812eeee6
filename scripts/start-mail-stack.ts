// Starts the test mail stack (Dovecot + Postfix, see test/support/mail-stack) and keeps it
// running until Ctrl-C / SIGTERM / SIGHUP, for manual tests or for several Jest runs in a row:
//
//   scripts/with-node.sh node scripts/start-mail-stack.ts            # prints the description
//   MAIL_CASES_STACK=/tmp/mail-cases-stack-XXXX/stack.json npx jest ...  # reuses it
//
// stdout gets exactly one line: the stack description as JSON (ports, users, CA). stderr gets a
// human-readable summary. Runs on Node's own type stripping; no build step.
//
// Options: --debug (verbose Dovecot/Postfix logs in the stack directory).

// Relative imports in the support code have no extension (they are compiled by ts-jest/tsc);
// teach Node's loader to find the .ts files and to treat them as ES modules.
const { registerHooks } = require('node:module');
registerHooks({
	resolve(specifier: string, context: unknown, next: (s: string, c: unknown) => unknown) {
		try {
			return next(specifier, context);
		} catch (error) {
			if (/^\.\.?\//.test(specifier)) return next(`${specifier}.ts`, context);
			throw error;
		}
	},
	load(url: string, context: object, next: (u: string, c: object) => unknown) {
		if (url.startsWith('file:') && url.endsWith('.ts'))
			return next(url, { ...context, format: 'module-typescript' });
		return next(url, context);
	},
});

async function main(): Promise<void> {
	const path = await import('node:path');
	const stackModule = path.join(__dirname, '../test/support/mail-stack/stack.ts');
	const { startMailStack, writeDescription } = await import(stackModule);
	const stack = await startMailStack({ debug: process.argv.includes('--debug') });
	const file = writeDescription(stack.describe());
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		process.stderr.write(`\n${signal}: stopping the mail stack\n`);
		stack.stop().then(() => process.exit(0));
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
		process.on(signal, () => stop(signal));

	const p = stack.ports;
	process.stderr.write(
		[
			`mail stack running (started in ${stack.startupMs} ms), directory ${stack.dir}`,
			`  IMAP ${p.imap} (STARTTLS)  IMAPS ${p.imaps}  POP3 ${p.pop3} (STLS)  POP3S ${p.pop3s}  LMTP ${p.lmtp}`,
			`  SMTP relay ${p.smtp}  submission ${p.submission}  SMTPS ${p.smtps}  Dovecot auth ${p.dovecotAuth}`,
			`  users: alice … user60 @${stack.domain}, password "<name>-Pa55!word"; CA: ${stack.caFile}`,
			`  logs: ${stack.logs.dovecot} ${stack.logs.postfix}`,
			`  export MAIL_CASES_STACK=${file}`,
			'Ctrl-C stops it.',
			'',
		].join('\n'),
	);
	process.stdout.write(`${JSON.stringify(stack.describe())}\n`);
	// Keep the event loop alive until a signal arrives.
	setInterval(() => undefined, 1 << 30);
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
