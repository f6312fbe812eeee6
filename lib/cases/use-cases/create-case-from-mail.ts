/**
 * R-PROC-6b: opens a case from a mail that matched no case — in an active case workflow,
 * assigned to the inbound workplace, its `Field = Value` lines filling the new case's form,
 * the sender kept as requester (the store links the first contact with that address), the
 * mail as the case's first activity.
 *
 *   - R-PLUS-3: auto-replies, bounces and our own mail open no case (`automatic-mail`) unless
 *     `skipAutomaticMail` is false;
 *   - R-PLUS-2: a mail processed before returns the case it opened (`replayed: true`), whatever
 *     the input says now (the workflow may have been deactivated since); a mail the ledger
 *     recorded otherwise opens nothing (`processed-before`);
 *   - the ledger write claims the mail's key first: another worker processing the same mail at
 *     the same moment gets this case back (replayed) instead of opening a second one.
 */
import type { Store } from '../../store/open-store';
import type {
	Activity,
	Case,
	Contact,
	CreateCaseFromMailInput as LedgerCreateInput,
	LedgerEntry,
	OrgUnit,
	Workflow,
} from '../../store/types';
import { validMailbox } from '../../mail/address';
import { subjectReference } from '../case-number';
import {
	automaticMailVerdict,
	caseTitleFromSubject,
	type AutomaticMailVerdict,
} from '../compose-case';
import { planFieldUpdates, type FieldUpdatePlan } from '../field-updates';
import { mailActivityInput } from '../mail-activity';
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey } from '../mail-ledger-key';
import { reuseInfo, type MessageIdReuse } from './message-id-reuse';
import type { CaseMail } from './case-mail';
import { activeWorkflow, inboundWorkplace } from './case-targets';
import type { FieldLineSettings } from './field-line-settings';
import { fieldFeedbackNote } from './field-feedback';

export interface CreateCaseFromMailDeps {
	/** `caseReferenceKey` signs the reference `[#number-tag]` an acknowledgement quotes (#11.7). */
	store: Pick<
		Store,
		'ledger' | 'cases' | 'workflows' | 'orgUnits' | 'contacts' | 'caseReferenceKey'
	>;
	/** This installation's id: our own mail coming back is automatic mail. */
	systemId: string;
}

export interface CreateCaseFromMailInput {
	mail: CaseMail;
	/** The trigger's classification of the mail, when the input carries one. */
	classification?: { class?: unknown; reasons?: unknown } | null;
	/** The case workflow, by name or id; read only for a mail not processed before. */
	workflow: string;
	/** The org unit / role the case is assigned to, by name or id. */
	inboundWorkplace: string;
	/** Empty: the mail's subject without Re:/Fwd: prefixes. */
	title?: string;
	/** Default true. */
	skipAutomaticMail?: boolean;
	fieldLines?: FieldLineSettings;
}

export type CreateCaseFromMailResult =
	| { kind: 'automatic-mail'; message: string; verdict: AutomaticMailVerdict }
	| { kind: 'processed-before'; message: string; entry: LedgerEntry; case: Case | undefined }
	| {
			kind: 'case';
			case: Case;
			/** The signed subject reference of the case, `[#number-tag]`. */
			reference: string;
			replayed: boolean;
			activityId: number | null;
			workflow: Workflow | undefined;
			responsible: OrgUnit | undefined;
			contact: Contact | undefined;
			/** The mail's field lines against the workflow's form (undefined without workflow). */
			fields: FieldUpdatePlan | undefined;
			/** Remote images removed from the stored HTML (0 on a replay). */
			blockedImages: number;
			/** #14.1: the note on the field lines that set nothing (written now), if any. */
			fieldFeedback?: Activity;
			/** #13.2: the mail's Message-ID was another mail's; it opened a case of its own. */
			messageIdReused?: MessageIdReuse;
	  };

type Deps = CreateCaseFromMailDeps;
type OpenedCase = Extract<CreateCaseFromMailResult, { kind: 'case' }>;

function processedBefore(entry: LedgerEntry, c: Case | undefined): CreateCaseFromMailResult {
	return {
		kind: 'processed-before',
		message: `The mail was processed before (${entry.outcome}${c ? `, case ${c.number}` : ''}); no case is opened for it`,
		entry,
		case: c,
	};
}

async function opened(
	{ store }: Deps,
	input: CreateCaseFromMailInput,
	c: Case,
	known: { replayed: boolean; activityId: number | null; workflow?: Workflow; unit?: OrgUnit },
): Promise<OpenedCase> {
	const workflow =
		known.workflow?.id === c.workflowId ? known.workflow : await store.workflows.get(c.workflowId);
	const responsible =
		known.unit?.id === c.responsibleOrgUnitId
			? known.unit
			: await store.orgUnits.get(c.responsibleOrgUnitId);
	const contact = c.contactId !== null ? await store.contacts.get(c.contactId) : undefined;
	return {
		kind: 'case',
		case: c,
		reference: subjectReference(c.number, await store.caseReferenceKey()),
		replayed: known.replayed,
		activityId: known.activityId,
		workflow,
		responsible,
		contact,
		fields: workflow ? planFieldUpdates(input.mail, workflow.fields, input.fieldLines) : undefined,
		blockedImages: 0,
	};
}

/** R-PROC-6b: opens a case from the mail (or returns the one it opened before). */
export async function createCaseFromMail(
	deps: Deps,
	input: CreateCaseFromMailInput,
): Promise<CreateCaseFromMailResult> {
	const { store, systemId } = deps;
	const { mail } = input;
	if (input.skipAutomaticMail !== false) {
		const verdict = automaticMailVerdict(mail, input.classification, systemId);
		if (verdict)
			return {
				kind: 'automatic-mail',
				message: `Automatic mail (${verdict.class}) opens no case`,
				verdict,
			};
	}

	const messageKey = mailLedgerKey(mail);
	const contentDigest = contentDigestOf(mail);
	const earlier = await store.ledger.lookup(messageKey, contentDigest);
	if (earlier) {
		const c = earlier.caseId !== null ? await store.cases.get(earlier.caseId) : undefined;
		if (earlier.outcome !== 'case_created' || !c) return processedBefore(earlier, c);
		const replay = await opened(deps, input, c, { replayed: true, activityId: earlier.activityId });
		// #13.2: a replay of a mail that reused a Message-ID keeps its own key (Send Once Per)
		const { earlier: other } = await store.ledger.keyOf(messageKey, contentDigest);
		return other
			? { ...replay, messageIdReused: reuseInfo({ earlier: other, note: undefined }, mail) }
			: replay;
	}

	const workflow = await activeWorkflow(store, input.workflow);
	const unit = await inboundWorkplace(store, input.inboundWorkplace);
	const plan = planFieldUpdates(mail, workflow.fields, input.fieldLines);
	const activity = mailActivityInput(mail);
	const feedback = fieldFeedbackNote(plan);
	const write: LedgerCreateInput = {
		messageKey,
		contentDigest,
		workflowId: workflow.id,
		responsibleOrgUnitId: unit.id,
		title: input.title?.trim() || caseTitleFromSubject(mail.subject),
		fields: plan.updates,
		// the sender's address is kept, so a later Send Mail can answer him; #11.6: only when it
		// is exactly one valid mailbox (never a list an acknowledgement would fan out to)
		requesterAddress: validMailbox(mail.from?.address),
		mail: activity.mail,
		...(feedback ? { fieldFeedback: feedback } : {}),
	};
	const intake = await store.ledger.createCaseFromMail(write);
	if (!intake.case || intake.entry.outcome !== 'case_created')
		return processedBefore(intake.entry, intake.case);
	const result = await opened(deps, input, intake.case, {
		replayed: intake.replayed,
		activityId: intake.activity?.id ?? null,
		workflow,
		unit,
	});
	return {
		...result,
		blockedImages: activity.blockedImages,
		...(intake.fieldFeedback ? { fieldFeedback: intake.fieldFeedback } : {}),
		...(intake.messageIdReused ? { messageIdReused: reuseInfo(intake.messageIdReused, mail) } : {}),
	};
}
