import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { addToCaseProperties } from './add-to-case.properties';
import { addMailToCases } from './add-mail';
import { mailCasesStoreTest } from '../shared/store-credential-test';

/**
 * R-PROC-2, R-PROC-5, R-PLUS-2, R-PLUS-5: the mail becomes an incoming-mail activity of its
 * case, once per Message-ID; its `Field = Value` lines can be applied in the same transaction.
 */
export class AddToCase implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Add to Case',
		name: 'addToCase',
		icon: {
			light: 'file:../../icons/mail-cases.svg',
			dark: 'file:../../icons/mail-cases.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["applyFields"] ? "Add mail and apply fields" : "Add mail" }}',
		description:
			'Store a mail with its attachments in its case, once per Message-ID, and apply its Field = Value lines',
		defaults: { name: 'Add to Case' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
		properties: addToCaseProperties,
	};

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await addMailToCases.call(this);
	}
}
