/**
 * R-PROC-5 / R-PLUS-5: how the `Field = Value` lines of a mail are read — the settings the
 * Field-line options of Create Case From Mail, Add to Case and Parse Fields give (see
 * nodes/shared/field-line-options.ts). Plain values, no n8n types.
 */
import type { PlanFieldUpdatesOptions } from '../field-updates';

export type FieldLineSettings = Pick<
	PlanFieldUpdatesOptions,
	'separators' | 'caseInsensitive' | 'allowedFields' | 'decimalSeparator'
>;
