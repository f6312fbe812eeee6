/**
 * Proves the workflow harness (test/support/n8n): workflow JSON run by n8n's real engine
 * (n8n-core 2.41.1 WorkflowExecute / TriggerContext / ActiveWorkflowTriggers), with test-only
 * fixture nodes. Our nodes' workflow tests build on it; R-PLUS-1 relies on the trigger
 * donePromise semantics checked here (a failed run resolves it with an error run).
 */
import { Expression } from 'n8n-workflow';

import { CredentialEcho } from '../fixtures/nodes/CredentialEcho.node';
import { EmitItems } from '../fixtures/nodes/EmitItems.node';
import { EventTrigger, eventTriggerChannel } from '../fixtures/nodes/EventTrigger.node';
import { Fail } from '../fixtures/nodes/Fail.node';
import { HarnessTestApi } from '../fixtures/nodes/HarnessTestApi.credentials';
import { MakeBinary } from '../fixtures/nodes/MakeBinary.node';
import { ManualTrigger } from '../fixtures/nodes/ManualTrigger.node';
import { ReadBinary } from '../fixtures/nodes/ReadBinary.node';
import { Route } from '../fixtures/nodes/Route.node';
import { SetField } from '../fixtures/nodes/SetField.node';
import { Sleep } from '../fixtures/nodes/Sleep.node';
import {
	HarnessTimeoutError,
	runWorkflow,
	shutdownN8nEngine,
	startTrigger,
	type TriggerHandle,
	useBinaryDataMode,
	waitUntil,
	type WorkflowJson,
	type WorkflowNodeJson,
} from '../support/n8n';

const nodeTypes = {
	'n8n-nodes-base.manualTrigger': ManualTrigger,
	'test.emitItems': EmitItems,
	'test.route': Route,
	'test.setField': SetField,
	'test.fail': Fail,
	'test.makeBinary': MakeBinary,
	'test.readBinary': ReadBinary,
	'test.credentialEcho': CredentialEcho,
	'test.eventTrigger': EventTrigger,
	'test.sleep': Sleep,
};

const start: WorkflowNodeJson = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** A straight line of nodes, each connected to the next on output 0. */
function chain(...nodes: WorkflowNodeJson[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { nodes, connections, settings: { executionOrder: 'v1' } };
}

const handles: TriggerHandle[] = [];

afterEach(async () => {
	await Promise.all(handles.splice(0).map(async (handle) => await handle.close()));
});

afterAll(async () => {
	await shutdownN8nEngine();
});

describe('runWorkflow', () => {
	it('runs start → 2 items with pairedItem → a node with 2 outputs, and evaluates expressions', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				start,
				{
					name: 'Emit',
					type: 'test.emitItems',
					parameters: { items: '[{"n":1,"label":"one"},{"n":2,"label":"two"}]' },
				},
				{ name: 'Route', type: 'test.route', parameters: { condition: '={{ $json.n > 1 }}' } },
				{
					name: 'Big',
					type: 'test.setField',
					position: [600, -100],
					parameters: {
						field: 'summary',
						value: "={{ $json.label.toUpperCase() }}/{{ $('Emit').item.json.n * 10 }}",
					},
				},
				{
					name: 'Small',
					type: 'test.setField',
					position: [600, 100],
					parameters: { field: 'summary', value: '=small {{ $json.n }}' },
				},
			],
			connections: {
				Start: { main: [[{ node: 'Emit', type: 'main', index: 0 }]] },
				Emit: { main: [[{ node: 'Route', type: 'main', index: 0 }]] },
				Route: {
					main: [
						[{ node: 'Big', type: 'main', index: 0 }],
						[{ node: 'Small', type: 'main', index: 0 }],
					],
				},
			},
		};

		const result = await runWorkflow({ workflow, nodeTypes });

		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		expect(result.run.mode).toBe('manual');
		// Execution order v1 runs the branches top to bottom by canvas position.
		expect(result.executedNodes).toEqual(['Start', 'Emit', 'Route', 'Big', 'Small']);
		expect(result.outputOf('Start')).toEqual([expect.objectContaining({ json: {} })]);
		expect(result.outputOf('Emit')).toEqual([
			expect.objectContaining({ json: { n: 1, label: 'one' }, pairedItem: { item: 0 } }),
			expect.objectContaining({ json: { n: 2, label: 'two' }, pairedItem: { item: 0 } }),
		]);
		expect(result.outputOf('Route', 0)).toEqual([
			expect.objectContaining({ json: { n: 2, label: 'two' }, pairedItem: { item: 1 } }),
		]);
		expect(result.outputOf('Route', 1)).toEqual([
			expect.objectContaining({ json: { n: 1, label: 'one' }, pairedItem: { item: 0 } }),
		]);
		// `$('Emit').item` follows pairedItem back through Route to the Emit item.
		expect(result.outputOf('Big').map((item) => item.json.summary)).toEqual(['TWO/20']);
		expect(result.outputOf('Small').map((item) => item.json.summary)).toEqual(['small 1']);
		// n8n 2.x evaluates expressions in its isolated-vm sandbox by default; so do we.
		expect(Expression.getActiveImplementation()).toBe('vm');
	});

	it.each(['default', 'filesystem'] as const)(
		'round-trips binary data in %s mode: prepareBinaryData, then getBinaryDataBuffer in a later node',
		async (mode) => {
			await useBinaryDataMode(mode);
			try {
				const text = 'Grüße zu Vorgang 2026-000123 – ✓';
				const result = await runWorkflow({
					workflow: chain(
						start,
						{
							name: 'Make',
							type: 'test.makeBinary',
							parameters: { text, fileName: 'Anhang äöü.txt', mimeType: 'text/plain' },
						},
						{ name: 'Read', type: 'test.readBinary', parameters: {} },
					),
					nodeTypes,
				});

				expect(result.status).toBe('success');
				const [made] = result.outputOf('Make');
				if (mode === 'default') {
					expect(made.binary?.data.id).toBeUndefined();
					expect(Buffer.from(made.binary?.data.data ?? '', 'base64').toString('utf8')).toBe(text);
				} else {
					expect(made.binary?.data.id).toMatch(/^filesystem-v2:/);
				}
				expect(result.outputOf('Read')).toEqual([
					expect.objectContaining({
						json: {
							text,
							bytes: Buffer.byteLength(text),
							fileName: 'Anhang äöü.txt',
							mimeType: 'text/plain',
							storage: mode === 'default' ? 'inline' : 'filesystem-v2',
						},
					}),
				]);
			} finally {
				await useBinaryDataMode('default');
			}
		},
	);

	it('gives status error with the failing node’s message and stops there', async () => {
		const result = await runWorkflow({
			workflow: chain(
				start,
				{ name: 'Fail', type: 'test.fail', parameters: { message: 'Boom on purpose' } },
				{ name: 'After', type: 'test.setField', parameters: {} },
			),
			nodeTypes,
		});

		expect(result.status).toBe('error');
		expect(result.run.finished).toBeUndefined(); // the engine sets it only on success
		expect(result.error?.message).toBe('Boom on purpose');
		expect(result.nodeError('Fail')?.message).toBe('Boom on purpose');
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Fail');
		expect(result.executedNodes).toEqual(['Start', 'Fail']);
		expect(() => result.outputOf('After')).toThrow(/"After" has no run 0/);
	});

	it('continues on fail: legacy continueOnFail and onError continueRegularOutput', async () => {
		for (const setting of [
			{ continueOnFail: true },
			{ onError: 'continueRegularOutput' as const },
		]) {
			const result = await runWorkflow({
				workflow: chain(
					start,
					{ name: 'Fail', type: 'test.fail', parameters: { message: 'Boom' }, ...setting },
					{ name: 'After', type: 'test.setField', parameters: { field: 'seen', value: '=yes' } },
				),
				nodeTypes,
			});

			expect(result.status).toBe('success');
			expect(result.outputOf('After')).toEqual([
				expect.objectContaining({ json: { error: 'Boom', seen: 'yes' } }),
			]);
		}
	});

	it('continues on fail with onError continueErrorOutput: failed items leave on the error output', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				start,
				{ name: 'Emit', type: 'test.emitItems', parameters: { items: '[{"n":1},{"n":2}]' } },
				{
					name: 'Fail',
					type: 'test.fail',
					onError: 'continueErrorOutput',
					parameters: { fail: '={{ $json.n === 2 }}', message: '=Item {{ $json.n }} failed' },
				},
				{ name: 'Ok', type: 'test.setField', parameters: { field: 'ok', value: '=yes' } },
				{ name: 'Failed', type: 'test.setField', parameters: { field: 'ok', value: '=no' } },
			],
			connections: {
				Start: { main: [[{ node: 'Emit', type: 'main', index: 0 }]] },
				Emit: { main: [[{ node: 'Fail', type: 'main', index: 0 }]] },
				Fail: {
					main: [
						[{ node: 'Ok', type: 'main', index: 0 }],
						[{ node: 'Failed', type: 'main', index: 0 }],
					],
				},
			},
		};

		const result = await runWorkflow({ workflow, nodeTypes });

		expect(result.status).toBe('success');
		expect(result.outputOf('Fail', 0)).toEqual([expect.objectContaining({ json: { n: 1 } })]);
		expect(result.outputOf('Fail', 1)).toEqual([
			expect.objectContaining({ json: { n: 2, error: 'Item 2 failed' } }),
		]);
		expect(result.outputOf('Ok')).toEqual([expect.objectContaining({ json: { n: 1, ok: 'yes' } })]);
		expect(result.outputOf('Failed')).toEqual([
			expect.objectContaining({ json: { n: 2, error: 'Item 2 failed', ok: 'no' } }),
		]);
	});

	it('hands credentials to the node through getCredentials, with the type’s defaults filled in', async () => {
		const echo = (id: string): WorkflowNodeJson => ({
			name: 'Echo',
			type: 'test.credentialEcho',
			parameters: {},
			credentials: { harnessTestApi: { id, name: 'Test profile' } },
		});
		const credentials = {
			harnessTestApi: { '7': { user: 'alice', password: 's3cret', secure: false } },
		};

		const result = await runWorkflow({
			workflow: chain(start, echo('7')),
			nodeTypes,
			credentials,
			credentialTypes: [HarnessTestApi],
		});
		expect(result.status).toBe('success');
		expect(result.outputOf('Echo')[0].json).toEqual({
			user: 'alice',
			passwordLength: 6,
			port: 993,
			secure: false,
		});

		const missing = await runWorkflow({
			workflow: chain(start, echo('8')),
			nodeTypes,
			credentials,
		});
		expect(missing.status).toBe('error');
		expect(missing.error?.message).toBe(
			'Credential with ID "8" does not exist for type "harnessTestApi".',
		);
	});

	it('cancels a run that exceeds timeoutMs', async () => {
		const begun = Date.now();
		await expect(
			runWorkflow({
				workflow: chain(start, { name: 'Sleep', type: 'test.sleep', parameters: { ms: 20_000 } }),
				nodeTypes,
				timeoutMs: 300,
			}),
		).rejects.toBeInstanceOf(HarnessTimeoutError);
		expect(Date.now() - begun).toBeLessThan(5_000);
	});
});

describe('startTrigger', () => {
	function triggerWorkflow(
		channel: string,
		parameters: Record<string, unknown> = {},
	): WorkflowJson {
		return chain(
			{ name: 'Event Trigger', type: 'test.eventTrigger', parameters: { channel, ...parameters } },
			{
				name: 'Check',
				type: 'test.fail',
				parameters: {
					fail: '={{ $json.seq === 2 }}',
					message: '=Event {{ $json.seq }} fails on purpose',
				},
			},
			{
				name: 'Done',
				type: 'test.setField',
				parameters: { field: 'handled', value: '=event {{ $json.seq }}' },
			},
		);
	}

	it('runs the workflow for each emit and settles each donePromise with the run, failed runs too', async () => {
		const channel = eventTriggerChannel('three-events');
		const handle = await startTrigger({
			workflow: triggerWorkflow('three-events', { events: 3 }),
			nodeTypes,
			triggerNodeName: 'Event Trigger',
		});
		handles.push(handle);

		const executions = await handle.waitForExecutions(3);
		await waitUntil('3 donePromise outcomes', () => channel.outcomes.length === 3);

		expect(handle.emitted).toBe(3);
		expect(handle.activations).toBe(1);
		expect(handle.errors).toEqual([]);
		const byEmit = [...executions].sort((a, b) => a.emitIndex - b.emitIndex);
		expect(byEmit.map((execution) => execution.status)).toEqual(['success', 'error', 'success']);
		expect(byEmit.map((execution) => execution.run.mode)).toEqual([
			'trigger',
			'trigger',
			'trigger',
		]);
		expect(byEmit[0].outputOf('Event Trigger')).toEqual([
			expect.objectContaining({ json: { seq: 1, mode: 'trigger' } }),
		]);
		expect(byEmit[0].outputOf('Done')[0].json.handled).toBe('event 1');
		expect(byEmit[1].error?.message).toBe('Event 2 fails on purpose');
		// As n8n's server: the donePromise RESOLVES with the run, also for the failed one.
		expect(channel.outcomes).toEqual([
			{ seq: 1, settled: 'resolved', status: 'success', finished: true, error: undefined },
			{
				seq: 2,
				settled: 'resolved',
				status: 'error',
				finished: undefined,
				error: 'Event 2 fails on purpose',
			},
			{ seq: 3, settled: 'resolved', status: 'success', finished: true, error: undefined },
		]);

		expect(handle.active).toBe(true);
		await handle.close();
		expect(handle.active).toBe(false);
		expect(channel.closes).toBe(1);
	});

	it('captures emitError, deactivates the trigger and activates it again, as the server does', async () => {
		const channel = eventTriggerChannel('flaky');
		const handle = await startTrigger({
			workflow: triggerWorkflow('flaky', { events: 3, emitErrorAfter: 1 }),
			nodeTypes,
			triggerNodeName: 'Event Trigger',
		});
		handles.push(handle);

		const [error] = await handle.waitForErrors(1);
		await handle.waitForExecutions(3);

		expect(error.message).toBe('Connection lost after event 1 (on purpose)');
		expect(handle.activations).toBe(2);
		expect(channel.activations).toBe(2);
		expect(channel.closes).toBe(1);
		expect(handle.activationErrors).toEqual([]);
		expect(handle.emitted).toBe(3);
		await handle.close();
		expect(channel.closes).toBe(2);
	});

	it('fails like n8n’s activation when trigger() throws', async () => {
		await expect(
			startTrigger({
				workflow: triggerWorkflow('no-connection', { failActivation: true }),
				nodeTypes,
				triggerNodeName: 'Event Trigger',
			}),
		).rejects.toThrow('There was a problem activating the workflow: "Cannot connect (on purpose)"');
	});

	it('rejects the donePromise only for an execution that was stopped (here: by its timeout)', async () => {
		const channel = eventTriggerChannel('stopped');
		const handle = await startTrigger({
			workflow: chain(
				{
					name: 'Event Trigger',
					type: 'test.eventTrigger',
					parameters: { channel: 'stopped', events: 1 },
				},
				{ name: 'Sleep', type: 'test.sleep', parameters: { ms: 20_000 } },
			),
			nodeTypes,
			triggerNodeName: 'Event Trigger',
			timeoutMs: 200,
		});
		handles.push(handle);

		await waitUntil('the donePromise outcome', () => channel.outcomes.length === 1);

		expect(channel.outcomes).toEqual([
			{ seq: 1, settled: 'rejected', error: expect.stringMatching(/did not finish within 200 ms/) },
		]);
		expect(handle.executions).toEqual([]);
		expect(handle.cancelledExecutions).toEqual([
			expect.objectContaining({ emitIndex: 0, error: expect.any(HarnessTimeoutError) }),
		]);
	});

	it.each([
		{ limit: -1, expectConcurrent: true },
		{ limit: 1, expectConcurrent: false },
	])(
		'runs emits concurrently unless a production concurrency limit ($limit) queues them',
		async ({ limit, expectConcurrent }) => {
			const name = `parallel-${limit}`;
			const channel = eventTriggerChannel(name);
			Sleep.maxRunning = 0;
			const handle = await startTrigger({
				workflow: chain(
					{
						name: 'Event Trigger',
						type: 'test.eventTrigger',
						parameters: { channel: name, events: 4, parallel: true },
					},
					{ name: 'Sleep', type: 'test.sleep', parameters: { ms: 150 } },
				),
				nodeTypes,
				triggerNodeName: 'Event Trigger',
				productionConcurrencyLimit: limit,
			});
			handles.push(handle);

			const executions = await handle.waitForExecutions(4);
			await waitUntil('4 donePromise outcomes', () => channel.outcomes.length === 4);

			expect(executions.every((execution) => execution.status === 'success')).toBe(true);
			expect(channel.outcomes.every((outcome) => outcome.settled === 'resolved')).toBe(true);
			if (expectConcurrent) expect(Sleep.maxRunning).toBeGreaterThan(1);
			else expect(Sleep.maxRunning).toBe(1);
		},
	);

	it('manual mode: n8n calls trigger() and manualTriggerFunction, runs once, then closes the trigger', async () => {
		const channel = eventTriggerChannel('manual');
		const handle = await startTrigger({
			workflow: triggerWorkflow('manual'),
			nodeTypes,
			triggerNodeName: 'Event Trigger',
			mode: 'manual',
		});
		handles.push(handle);

		const [execution] = await handle.waitForExecutions(1);
		await waitUntil('the donePromise outcome', () => channel.outcomes.length === 1);

		expect(execution.status).toBe('success');
		expect(execution.run.mode).toBe('manual');
		expect(execution.outputOf('Event Trigger')).toEqual([
			expect.objectContaining({ json: { seq: 1, mode: 'manual' } }),
		]);
		expect(handle.emitted).toBe(1);
		expect(channel.activations).toBe(1);
		expect(channel.closes).toBe(1);
		expect(channel.outcomes).toEqual([
			{ seq: 1, settled: 'resolved', status: 'success', finished: true, error: undefined },
		]);
	});
});
