import type { Selectable } from 'kysely';
import type {
	ActivitiesTable,
	AttachmentsTable,
	CasesTable,
	ContactsTable,
	OrgUnitsTable,
	ProcessedMessagesTable,
	WorkflowsTable,
} from './db-types';
import type {
	Activity,
	ActivityKind,
	ActivityOutcome,
	OutgoingPurpose,
	Attachment,
	Case,
	Contact,
	FieldDefinition,
	FieldValue,
	FieldValues,
	LedgerEntry,
	LedgerOutcome,
	OrgUnit,
	OrgUnitKind,
	Workflow,
} from './types';

/** Row → public type. Accepts what either backend returns (see db-types.ts). */

export function toDate(value: unknown): Date {
	return value instanceof Date ? value : new Date(String(value));
}

export function toBool(value: unknown): boolean {
	return value === true || value === 1 || value === '1' || value === 't';
}

/** JSON columns arrive as text from both backends (the PostgreSQL pool is told not to parse them). */
export function fromJson(value: unknown): unknown {
	if (value === null || value === undefined) return null;
	return JSON.parse(String(value));
}

export function toJson(value: unknown): string {
	return JSON.stringify(value);
}

export function toNullableJson(value: FieldValue | undefined): string | null {
	return value === null || value === undefined ? null : JSON.stringify(value);
}

export function workflowFromRow(row: Selectable<WorkflowsTable>): Workflow {
	return {
		id: Number(row.id),
		name: row.name,
		active: toBool(row.active),
		fields: (fromJson(row.fields) as FieldDefinition[] | null) ?? [],
		createdAt: toDate(row.created_at),
		updatedAt: toDate(row.updated_at),
	};
}

export function orgUnitFromRow(row: Selectable<OrgUnitsTable>, members: string[]): OrgUnit {
	return {
		id: Number(row.id),
		name: row.name,
		kind: row.kind as OrgUnitKind,
		members,
		createdAt: toDate(row.created_at),
		updatedAt: toDate(row.updated_at),
	};
}

export function contactFromRow(row: Selectable<ContactsTable>): Contact {
	return {
		id: Number(row.id),
		email: row.email,
		firstName: row.first_name,
		lastName: row.last_name,
		company: row.company,
		phone: row.phone,
		createdAt: toDate(row.created_at),
		updatedAt: toDate(row.updated_at),
	};
}

export function caseFromRow(row: Selectable<CasesTable>): Case {
	return {
		id: Number(row.id),
		number: row.case_number,
		workflowId: Number(row.workflow_id),
		title: row.title,
		status: row.status,
		fields: (fromJson(row.fields) as FieldValues | null) ?? {},
		responsibleOrgUnitId: Number(row.responsible_org_unit_id),
		contactId: row.contact_id === null ? null : Number(row.contact_id),
		requesterAddress: row.requester_address,
		createdAt: toDate(row.created_at),
		updatedAt: toDate(row.updated_at),
	};
}

export type AttachmentRow = Omit<Selectable<AttachmentsTable>, 'content'> & {
	has_content: unknown;
};

export function attachmentFromRow(row: AttachmentRow): Attachment {
	return {
		id: Number(row.id),
		activityId: Number(row.activity_id),
		fileName: row.file_name,
		contentType: row.content_type,
		size: Number(row.size),
		contentId: row.content_id,
		hasContent: toBool(row.has_content),
	};
}

export function activityFromRow(
	row: Selectable<ActivitiesTable>,
	attachments: Attachment[],
): Activity {
	return {
		id: Number(row.id),
		caseId: Number(row.case_id),
		kind: row.kind as ActivityKind,
		messageId: row.message_id,
		from: row.from_address,
		to: (fromJson(row.to_addresses) as string[] | null) ?? [],
		cc: (fromJson(row.cc_addresses) as string[] | null) ?? [],
		subject: row.subject,
		text: row.text_body,
		html: row.html_body,
		attachments,
		fieldName: row.field_name,
		oldValue: fromJson(row.old_value) as FieldValue,
		newValue: fromJson(row.new_value) as FieldValue,
		changedBy: row.changed_by,
		purpose: (row.purpose ?? null) as OutgoingPurpose | null,
		outcome: (row.outcome ?? null) as ActivityOutcome | null,
		outcomeDetail: row.outcome_detail ?? null,
		createdAt: toDate(row.created_at),
	};
}

export function ledgerFromRow(row: Selectable<ProcessedMessagesTable>): LedgerEntry {
	return {
		messageKey: row.message_key,
		outcome: row.outcome as LedgerOutcome,
		caseId: row.case_id === null ? null : Number(row.case_id),
		activityId: row.activity_id === null ? null : Number(row.activity_id),
		detail: row.detail,
		contentDigest: row.content_digest ?? null,
		processedAt: toDate(row.processed_at),
	};
}
