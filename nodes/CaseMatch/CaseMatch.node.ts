import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { caseMatchProperties } from './case-match.properties';
import { matchCases } from './match-cases';
import { mailCasesStoreTest } from '../shared/store-credential-test';

/** R-PROC-1, R-PLUS-4, R-PLUS-5: routes each mail to its existing case or to "Unmatched". */
export class CaseMatch implements INodeType {
	description: INodeTypeDescription = {
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

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await matchCases.call(this);
	}
}
