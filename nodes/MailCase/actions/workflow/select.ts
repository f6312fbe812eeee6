import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** The workflow to act on (all workflows, active or not). */
export function workflowSelect(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Workflow Name or ID',
		name: 'workflowId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getWorkflows' },
		required: true,
		default: '',
		displayOptions,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: "An expression may also give the workflow's name",
	};
}
