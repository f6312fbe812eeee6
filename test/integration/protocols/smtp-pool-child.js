// #17.5: a process that sends one mail through the process-wide SMTP pool (lib/protocols/smtp/
// smtp-pool.ts, default settings), releases its lease and then has nothing left to do. It must
// exit on its own while the idle pool still holds its connection (the sockets are unref'd when
// idle). Prints {"sent": messageId}, and at exit {"openAtExit": <pools still open>}.
// Usage: node test/integration/protocols/smtp-pool-child.js <profile.json> <recipient>
'use strict';
require('../../support/register-ts');
const fs = require('node:fs');

async function main() {
	const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
	const { smtpPools } = require('../../../lib/protocols/smtp/smtp-pool');
	const { buildOutgoingMessage } = require('../../../lib/mail/outgoing-message');
	process.on('exit', () => {
		process.stdout.write(JSON.stringify({ openAtExit: smtpPools.keys().length }) + '\n');
	});
	const lease = smtpPools.acquire(profile, 'child-credential');
	try {
		const sent = await lease.send(
			buildOutgoingMessage({
				from: { address: profile.fromAddress },
				to: process.argv[3],
				subject: 'pool child',
				text: 'sent from a child process\n',
			}),
		);
		process.stdout.write(JSON.stringify({ sent: sent.messageId }) + '\n');
	} finally {
		lease.release();
	}
}

main().catch((error) => {
	process.stdout.write(JSON.stringify({ error: String(error && error.message) }) + '\n');
	process.exitCode = 1;
});
