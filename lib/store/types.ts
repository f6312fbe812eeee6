/** Public entity and input types of the case store. */

export type FieldType = 'text' | 'number' | 'date' | 'boolean';

/** A field of a workflow's main form. */
export interface FieldDefinition {
	name: string;
	type: FieldType;
	/** Optional fields may stay empty. Default false. (Informational: see validateFieldValues.) */
	optional?: boolean;
}

/**
 * A form field value: text → string, number → finite number, date → `YYYY-MM-DD`,
 * boolean → boolean; null clears the field.
 */
export type FieldValue = string | number | boolean | null;
export type FieldValues = Record<string, FieldValue>;

export interface Workflow {
	id: number;
	name: string;
	active: boolean;
	fields: FieldDefinition[];
	createdAt: Date;
	updatedAt: Date;
}

export interface WorkflowInput {
	name: string;
	active?: boolean;
	fields?: FieldDefinition[];
}

export type OrgUnitKind = 'org_unit' | 'role';

export interface OrgUnit {
	id: number;
	name: string;
	kind: OrgUnitKind;
	/** Member e-mail addresses as entered, in the order entered. */
	members: string[];
	createdAt: Date;
	updatedAt: Date;
}

export interface OrgUnitInput {
	name: string;
	kind?: OrgUnitKind;
	members?: string[];
}

export interface Contact {
	id: number;
	email: string;
	firstName: string | null;
	lastName: string | null;
	company: string | null;
	phone: string | null;
	createdAt: Date;
	updatedAt: Date;
}

export interface ContactInput {
	email: string;
	firstName?: string | null;
	lastName?: string | null;
	company?: string | null;
	phone?: string | null;
}

export interface Case {
	id: number;
	/** e.g. `2026-000123` */
	number: string;
	workflowId: number;
	title: string | null;
	status: string;
	fields: FieldValues;
	responsibleOrgUnitId: number;
	contactId: number | null;
	/** The address replies go to (the sender of the mail that opened the case). */
	requesterAddress: string | null;
	createdAt: Date;
	updatedAt: Date;
}

export interface CaseInput {
	workflowId: number;
	/** Org unit / role the case is assigned to (the inbound workplace for cases from mail). */
	responsibleOrgUnitId: number;
	title?: string | null;
	/** Default `open`. */
	status?: string;
	fields?: FieldValues;
	requesterAddress?: string | null;
	/**
	 * A contact id, or null for none. When left out and requesterAddress is given, the contact
	 * directory is searched for that address (R-PROC-6b; the oldest matching contact wins).
	 */
	contactId?: number | null;
}

export interface CaseUpdate {
	title?: string | null;
	status?: string;
	responsibleOrgUnitId?: number;
	contactId?: number | null;
	requesterAddress?: string | null;
	/** Fields to set; fields not named keep their value. */
	fields?: FieldValues;
}

export interface CaseFilter {
	status?: string;
	workflowId?: number;
	responsibleOrgUnitId?: number;
	contactId?: number;
	/** Default 100, at most 1000. */
	limit?: number;
	offset?: number;
}

export type ActivityKind = 'incoming_mail' | 'outgoing_mail' | 'note' | 'field_change';

/**
 * Field changes of the case itself (not form fields) are recorded under these names.
 * Form field names cannot start with `@`.
 */
export const STATUS_FIELD = '@status';
export const RESPONSIBLE_FIELD = '@responsibleOrgUnitId';
export const CONTACT_FIELD = '@contactId';
export const TITLE_FIELD = '@title';

export interface AttachmentInput {
	fileName: string;
	contentType?: string;
	/** The content; null stores the metadata only (e.g. when the caller dropped an oversized file). */
	content: Buffer | Uint8Array | null;
	/** Size in bytes; required when content is null, else taken from content. */
	size?: number;
	/** Content-ID for inline parts referenced as cid: in the HTML. */
	contentId?: string | null;
}

export interface Attachment {
	id: number;
	activityId: number;
	fileName: string;
	contentType: string;
	size: number;
	contentId: string | null;
	/** false when only the metadata was stored. */
	hasContent: boolean;
}

/** A mail as an activity: incoming (from the mailbox) or outgoing (sent by us). */
export interface MailActivityInput {
	messageId?: string | null;
	from?: string | null;
	to?: string[];
	cc?: string[];
	subject?: string | null;
	text?: string | null;
	/** Sanitised HTML (the caller sanitises; the store keeps what it is given). */
	html?: string | null;
	attachments?: AttachmentInput[];
	/** When it happened. Default: now. */
	at?: Date;
}

export interface ActivityInput extends MailActivityInput {
	caseId: number;
	kind: 'incoming_mail' | 'outgoing_mail' | 'note';
	/** Who wrote a note. */
	author?: string | null;
}

/** #14.1: what a mail we sent on a case was for. */
export type OutgoingPurpose = 'acknowledgement' | 'notification' | 'forward' | 'mail';

/**
 * #14.1: what became of a mail we sent (outgoing_mail: sent, rejected, failed, later bounced), or
 * what an activity reports (incoming_mail of a bounce: delivery_failure; a note on Field lines:
 * field_feedback).
 */
export type ActivityOutcome =
	| 'sent'
	| 'rejected'
	| 'failed'
	| 'bounced'
	| 'delivery_failure'
	| 'field_feedback';

/** #14.1: one mail we sent (or tried to send) on a case, for its history. */
export interface OutgoingMailRecord {
	caseId: number;
	purpose: OutgoingPurpose;
	/** The sent Message-ID (for sent and rejected it is linked to the case: replies find it). */
	messageId: string;
	from: string;
	to: string[];
	cc?: string[];
	subject: string;
	/** The mail's text, as sent (optional: the history can show it). */
	text?: string | null;
	outcome: 'sent' | 'rejected' | 'failed';
	/**
	 * sent: the recipients the server refused while it accepted others (if any); rejected / failed:
	 * the server's reply or the error, as the user should read it.
	 */
	detail?: string | null;
	/** #15.2: the send claim this mail went out under: marked done in the same transaction. */
	claimKey?: string;
	at?: Date;
}

/** #14.1: a bounce (DSN) of a mail we sent, for the case the bounced mail belongs to. */
export interface DeliveryFailureInput extends WithContentDigest {
	/** The bounce mail's ledger key (its messageKey): a bounce is recorded once. */
	messageKey: string;
	/** The Message-ID of our mail that bounced (the trigger's bounce.originalMessageId). */
	bouncedMessageId: string;
	/** The bounce mail itself, stored as an incoming_mail activity with outcome delivery_failure. */
	mail: MailActivityInput;
	/** What the user reads, e.g. "acknowledgement to x@y bounced: 550 5.1.1 user unknown". */
	detail: string;
}

export interface DeliveryFailureResult {
	/** The bounce was recorded before: nothing written now. */
	replayed: boolean;
	/** undefined: the bounced Message-ID is not one we sent on a case (nothing written). */
	case: Case | undefined;
	/** The bounce's activity (incoming_mail, outcome delivery_failure). */
	activity: Activity | undefined;
	/** Our outgoing_mail activity that bounced (now outcome bounced), when it is in the history. */
	outgoing: Activity | undefined;
}

/** #15.2: the claim on one send (the unique key of a mail that must go out once). */
export type SendClaim =
	/** This run holds the claim now: send, then finish (or release when the send failed). */
	| { state: 'claimed' }
	/** The mail went out (or was permanently rejected) before: do not send. */
	| { state: 'done'; at: Date; messageId: string | null }
	/** Another run holds the claim until `until` (it may be sending right now). */
	| { state: 'held'; until: Date };

export interface Activity {
	id: number;
	caseId: number;
	kind: ActivityKind;
	messageId: string | null;
	from: string | null;
	to: string[];
	cc: string[];
	subject: string | null;
	text: string | null;
	html: string | null;
	attachments: Attachment[];
	/** field_change only: the form field (or @status, ...), old and new value, and who changed it. */
	fieldName: string | null;
	oldValue: FieldValue;
	newValue: FieldValue;
	changedBy: string | null;
	/** #14.1: outgoing_mail: what it was for; null on other activities and older ones. */
	purpose: OutgoingPurpose | null;
	/** #14.1: see ActivityOutcome; null where there is nothing to report (and on older ones). */
	outcome: ActivityOutcome | null;
	/** #14.1: the outcome in words (server reply, rejected recipients, bounce diagnostic). */
	outcomeDetail: string | null;
	createdAt: Date;
}

export type LedgerOutcome =
	| 'case_created'
	| 'activity_added'
	| 'forwarded'
	| 'ignored'
	| 'quarantined';

/** One row of the processed-message ledger (R-PLUS-2). */
export interface LedgerEntry {
	messageKey: string;
	outcome: LedgerOutcome;
	caseId: number | null;
	activityId: number | null;
	detail: string | null;
	/** #13.2: the content digest of the mail; null for entries written before it was kept. */
	contentDigest: string | null;
	processedAt: Date;
}

/**
 * #13.2: the content digest of the mail a write is for (lib/cases/mail-content-digest.ts).
 * When the key is a Message-ID the ledger has seen with another digest, the mail is another
 * mail that reuses the Message-ID: it is processed as a new mail under its own ledger key.
 */
interface WithContentDigest {
	contentDigest?: string | null;
}

/**
 * #14.1: the feedback on a mail's Field lines (fields that changed nothing, and why), written as
 * a note with outcome field_feedback in the same transaction as the mail: once per mail.
 */
export interface FieldFeedbackInput {
	/** Default "Mail Cases". */
	author?: string | null;
	text: string;
}

interface WithFieldFeedback {
	fieldFeedback?: FieldFeedbackInput;
}

export interface CreateCaseFromMailInput extends CaseInput, WithContentDigest, WithFieldFeedback {
	/** Key of the mail: messageKeyOf({ messageId, raw }). */
	messageKey: string;
	/** The mail; becomes the first incoming_mail activity of the case. */
	mail: MailActivityInput;
}

export interface AddMailToCaseInput extends WithContentDigest, WithFieldFeedback {
	messageKey: string;
	caseId: number;
	mail: MailActivityInput;
	/** Default incoming_mail. */
	kind?: 'incoming_mail' | 'outgoing_mail';
	/** `Field = Value` updates from the mail (R-PROC-5), applied in the same transaction. */
	fieldUpdates?: FieldValues;
	/** Who caused the field changes; default the mail's From. */
	changedBy?: string | null;
}

export interface MailIntakeResult {
	/** True when the mail had been processed before: nothing was written now. */
	replayed: boolean;
	entry: LedgerEntry;
	/** The case the mail belongs to (its current state). */
	case: Case | undefined;
	/** The mail's activity (the earlier one on a replay). */
	activity: Activity | undefined;
	/** field_change activities written now (empty on a replay). */
	fieldChanges: Activity[];
	/** #14.1: the note of the input's fieldFeedback, written now (undefined on a replay). */
	fieldFeedback?: Activity;
	/**
	 * #13.2: the mail reused a Message-ID of another mail: it was stored as a new mail under
	 * `entry.messageKey`, and a note on the case says so (written now, or on the first run).
	 */
	messageIdReused?: { earlier: LedgerEntry; note: Activity | undefined };
}

export interface RecordOutcomeInput extends WithContentDigest {
	messageKey: string;
	outcome: 'forwarded' | 'ignored' | 'quarantined';
	caseId?: number | null;
	detail?: string | null;
}
