/**
 * Plain JSON forms of store entities for node output (dates as ISO strings, no Buffers, no
 * bodies). Node outputs and expressions in later nodes (`$json.case.number`) rely on these
 * shapes, so they only ever gain fields.
 */
import type { Activity, Case, Contact, FieldValues } from '../store/types';

export interface CaseJson {
	id: number;
	number: string;
	workflowId: number;
	title: string | null;
	status: string;
	fields: FieldValues;
	responsibleOrgUnitId: number;
	contactId: number | null;
	requesterAddress: string | null;
	createdAt: string;
	updatedAt: string;
	/** Issue #11.7: the signed reference for subjects, `[#2026-000123-k7q2mz]` (when known). */
	reference?: string;
}

export function caseJson(c: Case, reference?: string): CaseJson {
	return {
		id: c.id,
		number: c.number,
		workflowId: c.workflowId,
		title: c.title,
		status: c.status,
		fields: { ...c.fields },
		responsibleOrgUnitId: c.responsibleOrgUnitId,
		contactId: c.contactId,
		requesterAddress: c.requesterAddress,
		createdAt: c.createdAt.toISOString(),
		updatedAt: c.updatedAt.toISOString(),
		...(reference ? { reference } : {}),
	};
}

export interface ContactJson {
	id: number | null;
	email: string | null;
	firstName: string | null;
	lastName: string | null;
	company: string | null;
	phone: string | null;
}

/** The contact, or every field null when there is none (R-PROC-6b: contact fields stay empty). */
export function contactJson(contact: Contact | undefined | null): ContactJson {
	return {
		id: contact?.id ?? null,
		email: contact?.email ?? null,
		firstName: contact?.firstName ?? null,
		lastName: contact?.lastName ?? null,
		company: contact?.company ?? null,
		phone: contact?.phone ?? null,
	};
}

export interface ActivityJson {
	id: number;
	kind: Activity['kind'];
	messageId: string | null;
	from: string | null;
	subject: string | null;
	/** #14.1: only where the activity reports an outcome (our mails, bounces, Field-line notes). */
	purpose?: Activity['purpose'];
	outcome?: Activity['outcome'];
	outcomeDetail?: Activity['outcomeDetail'];
	attachments: Array<{
		id: number;
		fileName: string;
		contentType: string;
		size: number;
		contentId: string | null;
		hasContent: boolean;
	}>;
	createdAt: string;
}

/** A mail activity without its bodies (the item carries the mail already). */
export function activityJson(a: Activity): ActivityJson {
	return {
		id: a.id,
		kind: a.kind,
		messageId: a.messageId,
		from: a.from,
		subject: a.subject,
		...(a.outcome
			? { purpose: a.purpose, outcome: a.outcome, outcomeDetail: a.outcomeDetail }
			: {}),
		attachments: a.attachments.map((att) => ({
			id: att.id,
			fileName: att.fileName,
			contentType: att.contentType,
			size: att.size,
			contentId: att.contentId,
			hasContent: att.hasContent,
		})),
		createdAt: a.createdAt.toISOString(),
	};
}

export interface FieldChangeJson {
	activityId: number;
	field: string;
	oldValue: Activity['oldValue'];
	newValue: Activity['newValue'];
	changedBy: string | null;
}

export function fieldChangeJson(a: Activity): FieldChangeJson {
	return {
		activityId: a.id,
		field: a.fieldName ?? '',
		oldValue: a.oldValue,
		newValue: a.newValue,
		changedBy: a.changedBy,
	};
}

/** What a mail's field lines asked for and what became of it (Create Case, Add to Case). */
export interface FieldPlanJson {
	requested: FieldValues;
	unknown: string[];
	invalid: Array<{ field: string; value: string; reason: string }>;
	rejected: Array<{ field: string; reason: string }>;
	notes?: string[];
	sender?: { allowed: boolean; reason: string; message: string };
}

/** The plan of field updates; without a plan (no form to read against) every list empty. */
export function fieldPlanJson(
	plan:
		| (Omit<FieldPlanJson, 'requested' | 'sender'> & {
				updates: FieldValues;
				sender?: FieldPlanJson['sender'];
		  })
		| undefined,
): FieldPlanJson {
	return {
		requested: plan?.updates ?? {},
		unknown: plan?.unknown ?? [],
		invalid: plan?.invalid ?? [],
		rejected: plan?.rejected ?? [],
		...(plan?.notes ? { notes: plan.notes } : {}),
		...(plan?.sender
			? {
					sender: {
						allowed: plan.sender.allowed,
						reason: plan.sender.reason,
						message: plan.sender.message,
					},
				}
			: {}),
	};
}
