import { ObservableObject, type IDataObject } from 'n8n-workflow';
import { Pop3Source } from '../../../../lib/protocols/pop3/pop3-source';
import { pop3StaticState } from '../../../../nodes/MailCasesTrigger/pop3-static-state';

/**
 * n8n saves a workflow's static data (when a trigger emits) only if `__dataChanged` is set on its
 * root, which n8n-workflow's ObservableObject does for assignments to objects it wrapped when the
 * workflow was loaded. These tests use that real ObservableObject the way Workflow.getStaticData
 * does, so the POP3 attempt counted before a run (issue #11.3) is really marked for saving.
 */
const profile = {
	protocol: 'pop3' as const,
	host: '127.0.0.1',
	port: 1,
	tls: 'off' as const,
	user: 'u',
	password: 'p',
};
type Root = IDataObject & { __dataChanged?: boolean };

function nodeData(root: Root): IDataObject {
	// As Workflow.getStaticData('node', node) does for a node without stored data.
	root['node:Mail'] ??= ObservableObject.create({}, root as never);
	return root['node:Mail'] as IDataObject;
}

test('#11.3 first activation: counts written into the new POP3 state are marked changed (without the mark they would not be saved)', async () => {
	const root = ObservableObject.create({}, undefined, { ignoreEmptyOnFirstChild: true }) as Root;
	const { state, changed } = pop3StaticState(nodeData(root));
	root.__dataChanged = false; // n8n saved it after activation
	state.attempts.u1 = 1;
	expect(root.__dataChanged).toBe(false); // the trap: a plain object n8n does not watch
	changed();
	expect(root.__dataChanged).toBe(true);
});

test('#11.3 state loaded from the database: Pop3Source.recordAttempts marks it changed before the run is emitted', async () => {
	const stored = { 'node:Mail': { pop3: { quarantined: {}, kept: {}, attempts: { u1: 1 } } } };
	const root = ObservableObject.create(JSON.parse(JSON.stringify(stored)), undefined, {
		ignoreEmptyOnFirstChild: true,
	}) as Root;
	const { state, changed } = pop3StaticState(nodeData(root));
	expect(root.__dataChanged).toBe(false);
	const source = new Pop3Source(profile, state, changed);
	expect(await source.recordAttempts(['u1', 'u2'])).toEqual(
		new Map([
			['u1', 2],
			['u2', 1],
		]),
	);
	expect(root.__dataChanged).toBe(true);
	expect(JSON.parse(JSON.stringify(root))['node:Mail'].pop3.attempts).toEqual({ u1: 2, u2: 1 });
	root.__dataChanged = false;
	await source.quarantine('u1', 'Failed 2 times');
	expect(root.__dataChanged).toBe(true);
	expect(state.attempts).toEqual({ u2: 1 });
});
