// A second process for the concurrency tests. Usage:
//   node store-child.js '<json job>'
// job = { config, task: 'create' | 'ingest' | 'claim' | 'open', count?, keys?, leaseMs?, workflowId,
//         orgUnitId }
// The child opens the store (running migrations if needed), prints "ready", waits for a line
// "go" on stdin (so parent and child start their writes together), does the task with all
// operations in flight at once, prints one JSON line with the results and exits.
'use strict';
require('../../../support/register-ts');
const readline = require('node:readline');
const { openStore } = require('../../../../lib/store');

async function main() {
	const job = JSON.parse(process.argv[2]);
	const store = await openStore(job.config);
	process.stdout.write('ready\n');
	await new Promise((resolve) => {
		const rl = readline.createInterface({ input: process.stdin });
		rl.on('line', (line) => {
			if (line.trim() === 'go') {
				rl.close();
				process.stdin.destroy();
				resolve();
			}
		});
	});
	let results;
	if (job.task === 'create') {
		results = await Promise.all(
			Array.from({ length: job.count }, () =>
				store.cases
					.create({ workflowId: job.workflowId, responsibleOrgUnitId: job.orgUnitId })
					.then((c) => c.number),
			),
		);
	} else if (job.task === 'ingest') {
		results = await Promise.all(
			job.keys.map((key) =>
				store.ledger
					.createCaseFromMail({
						messageKey: key,
						workflowId: job.workflowId,
						responsibleOrgUnitId: job.orgUnitId,
						mail: { messageId: key.slice(4), from: 'child@example.com', subject: key },
					})
					.then((r) => ({ key, number: r.case.number, replayed: r.replayed })),
			),
		);
	} else if (job.task === 'claim') {
		// #15.2: every key claimed at once; the results say which of them this process got
		results = await Promise.all(
			job.keys.map((key) =>
				store.sendClaims.claim(key, job.leaseMs).then((claim) => ({ key, state: claim.state })),
			),
		);
	} else if (job.task === 'open') {
		results = { schemaVersion: await store.schemaVersion() };
	} else {
		throw new Error(`unknown task ${job.task}`);
	}
	await store.close();
	process.stdout.write(`${JSON.stringify({ ok: true, results })}\n`);
}

main().catch((error) => {
	process.stdout.write(
		`${JSON.stringify({ ok: false, code: error.code, message: String(error.message) })}\n`,
	);
	process.exitCode = 1;
});
