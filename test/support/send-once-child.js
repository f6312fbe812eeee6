// #15.2: one "worker" that sends the same Send Once Per mail several times at once, for the claim
// tests: it opens its own case store (its own connections) and SMTP pool, says {"ready":true},
// waits for a line on stdin (so two processes start together), runs `concurrency` sendOnCase
// calls at once and prints {"results":[{kind, messageId}...]}, or {"error": message}.
// Usage: node test/support/send-once-child.js <spec.json>
// spec: { store: StoreConfig, smtp: SmtpProfile, systemId, caseNumber, key, to, concurrency }
'use strict';
require('./register-ts');
const fs = require('node:fs');

async function main() {
	const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
	const { openStore } = require('../../lib/store');
	const { SmtpSender } = require('../../lib/protocols/smtp/smtp-transport');
	const { sendOnCase } = require('../../lib/cases/use-cases/send-on-case');
	const store = await openStore(spec.store);
	const smtp = new SmtpSender(spec.smtp, { pool: true });
	const sender = {
		kind: 'smtp',
		from: { address: spec.smtp.fromAddress },
		isDefault: true,
		send: (message) => smtp.send(message),
		close: () => smtp.close(),
	};
	process.stdout.write('{"ready":true}\n');
	await new Promise((resolve) => process.stdin.once('data', resolve));
	const one = () =>
		sendOnCase(
			{ sender, systemId: spec.systemId, store: async () => store },
			{
				to: spec.to,
				subject: 'Ihre Anfrage',
				text: 'Wir haben den Vorgang angelegt.',
				caseNumber: spec.caseNumber,
				sendOnceKey: spec.key,
			},
		).then((r) => ({ kind: r.kind, messageId: r.messageId }));
	const results = await Promise.all(Array.from({ length: spec.concurrency }, one));
	process.stdout.write(JSON.stringify({ results }) + '\n');
	smtp.close();
	await store.close();
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stdout.write(JSON.stringify({ error: String(error && error.message) }) + '\n');
		process.exit(1);
	},
);
