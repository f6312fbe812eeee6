import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { contactJson } from '../../lib/cases/case-json';
import type { Store } from '../../lib/store';
import { failedItem } from '../shared/errors';
import { storeFor } from '../shared/store';
import { mailCasesStoreTest } from '../shared/store-credential-test';

/**
 * R-PROC-6b contact lookup, usable alone: the contact of an e-mail address (the mail's sender
 * by default). None found → every contact field empty (null); several → the oldest, the
 * store's rule ("the first one").
 */
export class ContactLookup implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mail Cases Contact Lookup',
		name: 'contactLookup',
		icon: {
			light: 'file:../../icons/mail-cases.svg',
			dark: 'file:../../icons/mail-cases.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["email"] }}',
		description: "Look up the contact of an e-mail address in the case store's contact directory",
		defaults: { name: 'Contact Lookup' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mailCasesStore', required: false, testedBy: 'mailCasesStoreTest' }],
		properties: [
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '={{ $json.from.address }}',
				description: 'The address to look up; behind the Mail Cases Trigger the sender',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Output Property',
						name: 'outputProperty',
						type: 'string',
						default: 'contact',
						description: 'Name of the property that receives the contact',
					},
				],
			},
		],
	};

	methods = { credentialTest: { mailCasesStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		let store: Store | undefined;
		for (let i = 0; i < items.length; i++) {
			try {
				store ??= await storeFor(this);
				const raw = String(this.getNodeParameter('email', i, '') ?? '').trim();
				const options = this.getNodeParameter('options', i, {}) as { outputProperty?: string };
				const property = options.outputProperty?.trim() || 'contact';
				// a display form ("Name" <a@b>) is reduced to its address; the store ignores case
				const address = /<([^<>\s@]+@[^<>\s]+)>/.exec(raw)?.[1] ?? raw;
				const all = address.includes('@') ? await store.contacts.findAllByEmail(address) : [];
				output.push({
					json: {
						...items[i].json,
						[property]: contactJson(all[0]) as unknown as IDataObject,
						[`${property}Matches`]: all.length,
					},
					...(items[i].binary ? { binary: items[i].binary } : {}),
					pairedItem: { item: i },
				});
			} catch (error) {
				output.push(failedItem(this, error, i));
			}
		}
		return [output];
	}
}
