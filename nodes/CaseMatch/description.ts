import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';
import { caseMatchProperties } from './case-match.properties';

export const description: INodeTypeDescription = {
	displayName: 'Mail Cases Case Match',
	name: 'caseMatch',
	icon: {
		light: 'file:../../icons/mail-cases.svg',
		dark: 'file:../../icons/mail-cases.dark.svg',
	},
	group: ['transform'],
	// 2: "Allowed Senders" defaults to signedOrParticipant (issue #11.7); 1 keeps anyone
	version: [1, 2],
	defaultVersion: 2,
	subtitle: '={{ "Sender: " + ($parameter["senderPolicy"] || []).join(", ") }}',
	description:
		'Find the existing case of a mail: case number in the subject, then the reply headers',
	defaults: { name: 'Case Match' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
	outputNames: ['Matched', 'Unmatched'],
	credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
	properties: caseMatchProperties,
};
