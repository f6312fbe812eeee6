// Runs one trigger workflow in a plain Node process with n8n's real engine (the same harness as
// the workflow tests), so a test can SIGKILL it mid-run and start it again — the crash path of
// R-PLUS-1. Usage: node test/support/trigger-child.js <spec.json>
// spec: { workflow, credentials, triggerNodeName, extraNodeTypes?: { type: modulePath#ExportName },
//         reportNode?: name of a node whose output items' JSON is reported }
// Prints one JSON line per finished execution: {"execution": n, "status", "error", "items"}.
'use strict';
require('./register-ts');
const fs = require('node:fs');

async function main() {
	const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
	const { startTrigger } = require('./n8n');
	const { packageNodeTypes, packageCredentialTypes } = require('./package-nodes');
	const nodeTypes = packageNodeTypes();
	for (const [type, ref] of Object.entries(spec.extraNodeTypes ?? {})) {
		const [file, name] = ref.split('#');
		nodeTypes[type] = require(file)[name];
	}
	let reported = 0;
	const handle = await startTrigger({
		workflow: spec.workflow,
		nodeTypes,
		credentialTypes: packageCredentialTypes(),
		credentials: spec.credentials,
		triggerNodeName: spec.triggerNodeName,
		timeoutMs: 120_000,
	});
	process.stdout.write('{"ready":true}\n');
	setInterval(() => {
		while (reported < handle.executions.length) {
			const e = handle.executions[reported++];
			let items;
			if (
				spec.reportNode &&
				e.status === 'success' &&
				e.run.data.resultData.runData[spec.reportNode]
			) {
				items = e.outputOf(spec.reportNode).map((item) => item.json);
			}
			process.stdout.write(
				JSON.stringify({ execution: reported, status: e.status, error: e.error?.message, items }) +
					'\n',
			);
		}
	}, 50);
	process.on('SIGTERM', () => {
		handle.close().finally(() => process.exit(0));
	});
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
