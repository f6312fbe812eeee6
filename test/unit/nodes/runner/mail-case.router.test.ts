/**
 * Issue #12.2: the Mail Case router, as n8n's Outlook v2 router test does it — resource and
 * operation choose the operation module, which gets (ctx, itemIndex, store).
 */
import { NodeOperationError } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import * as caseOps from '../../../../nodes/MailCase/actions/case';
import * as contactOps from '../../../../nodes/MailCase/actions/contact';
import * as orgUnitOps from '../../../../nodes/MailCase/actions/org-unit';
import * as workflowOps from '../../../../nodes/MailCase/actions/workflow';
import { storeFor } from '../../../../nodes/shared/store';
import { MailCase } from '../../../../nodes/MailCase/MailCase.node';
import { fakeExecute } from './fake-execute';
import { fakeStore } from './fake-resources';

jest.mock('../../../../nodes/shared/store', () => require('./fake-resources').storeModule());

const node = new MailCase();
const modules = { case: caseOps, contact: contactOps, orgUnit: orgUnitOps, workflow: workflowOps };
const storeCredential = { mailCasesStore: { id: '1', name: 'Store' } };

beforeEach(() => {
	jest.restoreAllMocks();
	jest.mocked(storeFor).mockReset().mockResolvedValue(fakeStore);
});

describe.each([
	['case', 'get'],
	['case', 'getAll'],
	['case', 'create'],
	['case', 'addNote'],
	['contact', 'getAll'],
	['orgUnit', 'create'],
	['workflow', 'activate'],
] as const)('resource %s, operation %s', (resource, operation) => {
	test('runs that operation for each item with the store; its items are paired', async () => {
		const module = (
			modules[resource] as unknown as Record<string, { execute: typeof caseOps.get.execute }>
		)[operation];
		const spy = jest
			.spyOn(module, 'execute')
			.mockImplementation(async (_ctx, i) => [{ json: { i } }, { json: { i, second: true } }]);
		const ctx = fakeExecute({
			items: [{}, {}],
			parameters: { resource, operation },
			credentials: storeCredential,
		});
		const [out] = await node.execute.call(ctx);
		expect(spy.mock.calls.map(([c, i, s]) => [c, i, s])).toEqual([
			[ctx, 0, fakeStore],
			[ctx, 1, fakeStore],
		]);
		expect(out.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
		]);
		expect(storeFor).toHaveBeenCalledTimes(1);
	});
});

test("an unknown operation is that item's error, with its index; no store needed for it", async () => {
	const ctx = fakeExecute({
		parameters: { resource: 'case', operation: 'explode' },
		credentials: storeCredential,
	});
	const error = (await node.execute.call(ctx).catch((e: unknown) => e)) as NodeOperationError;
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toBe('The operation "explode" of resource "case" is not supported');
	expect(error.context.itemIndex).toBe(0);
	expect(storeFor).not.toHaveBeenCalled();
});

test('Continue On Fail: the failing item becomes { ...input, error, code }, the others go on', async () => {
	jest.spyOn(caseOps.get, 'execute').mockImplementation(async (_ctx, i) => {
		if (i === 1) throw new MailCasesError('NOT_FOUND', 'Case 1999-000077 does not exist');
		return [{ json: { i } }];
	});
	const ctx = fakeExecute({
		items: [{ n: 'a' }, { n: '1999-000077' }, { n: 'b' }],
		parameters: { resource: 'case', operation: 'get' },
		credentials: storeCredential,
		continueOnFail: true,
	});
	const [out] = await node.execute.call(ctx);
	expect(out).toEqual([
		{ json: { i: 0 }, pairedItem: { item: 0 } },
		{
			json: { n: '1999-000077', error: 'Case 1999-000077 does not exist', code: 'NOT_FOUND' },
			pairedItem: { item: 1 },
		},
		{ json: { i: 2 }, pairedItem: { item: 2 } },
	]);
});

test('without a store credential the output pane names the embedded SQLite file', async () => {
	jest.spyOn(caseOps.get, 'execute').mockResolvedValue([{ json: {} }]);
	const ctx = fakeExecute({ parameters: { resource: 'case', operation: 'get' } });
	await node.execute.call(ctx);
	expect(ctx.hints).toEqual([
		expect.objectContaining({
			type: 'info',
			message: expect.stringMatching(/embedded SQLite file .*mail-cases\.sqlite/),
		}),
	]);
});
