/**
 * Issue #11.7: Case Match version 2 defaults "Allowed Senders" to signedOrParticipant, while a
 * version-1 node (saved by n8n without the parameter when it had the default) keeps `anyone`.
 * Checked with n8n-workflow's own parameter resolution, the one the editor and engine use.
 */
import { NodeHelpers, type INode } from 'n8n-workflow';
import { CaseMatch } from '../../../nodes/CaseMatch/CaseMatch.node';

const description = new CaseMatch().description;

function resolved(typeVersion: number, parameters: INode['parameters'] = {}) {
	const node = {
		id: 'x',
		name: 'Case Match',
		type: 'n8n-nodes-mail-cases.caseMatch',
		typeVersion,
		position: [0, 0],
		parameters,
	} as INode;
	return NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		node,
		description,
	);
}

describe('#11.7 Case Match default sender policy per node version', () => {
	test('version 2 is the default version for new nodes and offers signedOrParticipant', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
		const options = description.properties
			.filter((p) => p.name === 'senderPolicy')
			.map((p) => (p.options ?? []).map((o) => (o as { value: string }).value));
		expect(options).toHaveLength(2);
		for (const values of options) expect(values).toContain('signedOrParticipant');
	});

	test('a node without the parameter: version 1 keeps "anyone", version 2 gets signedOrParticipant', () => {
		expect(resolved(1)?.senderPolicy).toEqual(['anyone']);
		expect(resolved(2)?.senderPolicy).toEqual(['signedOrParticipant']);
	});

	test('a parameter that was set stays as set in either version', () => {
		expect(resolved(1, { senderPolicy: ['caseContact'] })?.senderPolicy).toEqual(['caseContact']);
		expect(resolved(2, { senderPolicy: ['anyone'] })?.senderPolicy).toEqual(['anyone']);
	});
});
