/**
 * R-PROC-2 / R-PLUS-2 (and R-PROC-5 with "Apply Field Lines"): the mail becomes an
 * incoming-mail activity of its case, once per Message-ID, in ONE ledger transaction with the
 * field changes its `Field = Value` lines make — they commit together or not at all. A replay
 * (retry, second worker, the same mail delivered again) writes nothing and returns the earlier
 * activity (`replayed`).
 *
 * Why the field lines are part of this write and no step of their own: the store has exactly
 * one write that is idempotent per Message-ID and can carry field changes
 * (`ledger.addMailToCase`). A separate step would need a second ledger entry and a second
 * transaction: either a second mail activity for the same message (which R-PLUS-2 forbids), or
 * a case update followed by a ledger marker — a crash between the two would re-apply the fields
 * on the retry and overwrite what a person changed in the meantime, and gating on `replayed`
 * instead would lose the fields forever when the crash came right after the mail's commit. The
 * source system has it the same way: a checkbox of mail processing ("E-Mail Inhalt bei
 * vorhandenen Vorgängen zuordnen"). Without a store, Parse Fields gives the parsed fields.
 *
 * #14.1: field lines that changed nothing (unknown field, value not accepted, sender not
 * allowed) are told on the case as a note (outcome field_feedback, author "Mail Cases"), written
 * in the same ledger transaction as the mail: once per mail, a replay writes no second note.
 */
import { MailCasesError } from '../../errors';
import type { Store } from '../../store/open-store';
import type {
	Activity,
	AddMailToCaseInput as LedgerAddMailInput,
	Case,
	LedgerEntry,
} from '../../store/types';
import { mailActivityInput, type MailActivityOptions } from '../mail-activity';
import { contentDigestOf } from '../mail-content-digest';
import { mailLedgerKey } from '../mail-ledger-key';
import { reuseInfo, type MessageIdReuse } from './message-id-reuse';
import type { CaseMail } from './case-mail';
import { planCaseFields, type CaseFieldPlan, type CaseFieldRules } from './case-field-plan';
import { fieldFeedbackNote } from './field-feedback';

export interface AddMailToCaseDeps {
	store: Pick<Store, 'cases' | 'ledger' | 'workflows' | 'contacts' | 'orgUnits' | 'activities'> & {
		readonly maxAttachmentBytesPerMail: number;
	};
}

export interface AddMailToCaseInput {
	/** The case the mail belongs to (behind Case Match its matched case). */
	caseNumber: string;
	mail: CaseMail;
	/** How the mail is stored; the limit for `oversized` is the store's. */
	content?: Pick<MailActivityOptions, 'allowRemoteImages' | 'keepHtml' | 'oversized'>;
	/** "Apply Field Lines": set = the mail's field lines change the case's form. */
	applyFields?: CaseFieldRules;
}

interface Stored {
	/** The field lines read (only with applyFields). */
	fields: CaseFieldPlan | undefined;
	blockedImages: number;
	attachmentsWithoutContent: boolean;
}

export type AddMailToCaseResult =
	| ({
			kind: 'added';
			case: Case;
			activity: Activity;
			fieldChanges: Activity[];
			/** #14.1: the note on the field lines that changed nothing (written now), if any. */
			fieldFeedback?: Activity;
			/** #13.2: the mail's Message-ID was another mail's; it was stored as a new mail. */
			messageIdReused?: MessageIdReuse;
	  } & Stored)
	| ({
			kind: 'replayed';
			/** The earlier result; case and activity are absent when it stored no mail. */
			entry: LedgerEntry;
			case: Case | undefined;
			activity: Activity | undefined;
			/** #13.2: the mail is the one that reused a Message-ID (its note: on the first run). */
			messageIdReused?: MessageIdReuse;
	  } & Stored);

export async function addMailToCase(
	{ store }: AddMailToCaseDeps,
	input: AddMailToCaseInput,
): Promise<AddMailToCaseResult> {
	const number = input.caseNumber.trim();
	if (!number) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'No case number: connect this node to the Matched output of Case Match, or set Case Number',
		);
	}
	const { mail, content = {} } = input;
	const c = await store.cases.requireByNumber(number);
	const messageKey = mailLedgerKey(mail);
	const built = mailActivityInput(mail, {
		allowRemoteImages: content.allowRemoteImages === true,
		keepHtml: content.keepHtml !== false,
		oversized: content.oversized ?? 'error',
		maxAttachmentBytes: store.maxAttachmentBytesPerMail,
	});
	const sender = mail.from?.address ?? null;
	const fields = input.applyFields
		? await planCaseFields(store, c, mail, sender, input.applyFields)
		: undefined;
	const feedback = fieldFeedbackNote(fields, sender);
	const write: LedgerAddMailInput = {
		messageKey,
		contentDigest: contentDigestOf(mail),
		caseId: c.id,
		mail: built.mail,
		fieldUpdates: fields?.updates,
		changedBy: sender,
		...(feedback ? { fieldFeedback: feedback } : {}),
	};
	const written = await store.ledger.addMailToCase(write);
	const stored: Stored = {
		fields,
		blockedImages: built.blockedImages,
		attachmentsWithoutContent: built.attachmentsWithoutContent,
	};
	// #13.2: also on a replay, a mail that reused a Message-ID keeps its own key
	const reused = written.messageIdReused
		? { messageIdReused: reuseInfo(written.messageIdReused, mail) }
		: {};
	if (written.replayed || !written.case || !written.activity)
		return {
			kind: 'replayed',
			entry: written.entry,
			case: written.case,
			activity: written.activity,
			...stored,
			...reused,
		};
	return {
		kind: 'added',
		case: written.case,
		activity: written.activity,
		fieldChanges: written.fieldChanges,
		...(written.fieldFeedback ? { fieldFeedback: written.fieldFeedback } : {}),
		...stored,
		...reused,
	};
}
