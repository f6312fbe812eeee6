import { contactOptions, orgUnitOptions, workflowOptions } from '../../shared/store-options';

/** Mail Case's dropdowns; each saves the id of what was chosen. */
export const loadOptions = {
	/** Workflows that can start a case (R-PROC-6b: active ones only). */
	getActiveWorkflows: workflowOptions({ activeOnly: true, valueBy: 'id' }),
	/** Every workflow, active or not (to update, activate, filter). */
	getWorkflows: workflowOptions({ activeOnly: false, valueBy: 'id' }),
	getOrgUnits: orgUnitOptions,
	getContacts: contactOptions,
};
