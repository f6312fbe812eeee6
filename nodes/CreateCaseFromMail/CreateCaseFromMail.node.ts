import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
} from 'n8n-workflow';
import { toNodeError } from '../shared/errors';
import { storeFor } from '../shared/store';
import { router } from './actions/router';
import { mailCasesStoreTest } from '../shared/store-credential-test';
import { description } from './description';

/**
 * R-PROC-6b: opens a case from a mail that matched no case — in an active case workflow,
 * assigned to the inbound workplace, `Field = Value` lines filling the new case's form, the
 * sender kept as requester and the first contact with the sender's address linked; the mail is
 * the case's first activity. A mail processed again returns the same case (`replayed: true`,
 * R-PLUS-2). Auto-replies, bounces and our own mail go to the "Skipped" output (R-PLUS-3).
 */
export class CreateCaseFromMail implements INodeType {
	description = description;

	methods = {
		credentialTest: { mailCasesStoreTest },
		loadOptions: {
			/** R-PROC-6b: only ACTIVE workflows can start a case. */
			async getActiveWorkflows(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				try {
					const store = await storeFor(this);
					return (await store.workflows.list({ activeOnly: true })).map((w) => ({
						name: w.name,
						value: w.name,
						description: w.fields.length
							? `Fields: ${w.fields.map((f) => f.name).join(', ')}`
							: 'No form fields',
					}));
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},
			/** Org units and roles of the org chart. */
			async getOrgUnits(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				try {
					const store = await storeFor(this);
					return (await store.orgUnits.list()).map((u) => ({
						name: `${u.name} (${u.kind === 'role' ? 'Role' : 'Org Unit'})`,
						value: u.name,
						description: `${u.members.length} member${u.members.length === 1 ? '' : 's'}`,
					}));
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
