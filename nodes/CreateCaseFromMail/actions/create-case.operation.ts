import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { caseJson, contactJson } from '../../../lib/cases/case-json';
import { subjectReference } from '../../../lib/cases/case-number';
import { automaticMailVerdict, caseTitleFromSubject } from '../../../lib/cases/compose-case';
import type { FieldSeparator } from '../../../lib/cases/field-lines';
import { planFieldUpdates } from '../../../lib/cases/field-updates';
import { mailActivityInput } from '../../../lib/cases/mail-activity';
import { mailLedgerKey } from '../../../lib/cases/mail-ledger-key';
import { MailCasesError } from '../../../lib/errors';
import { validMailbox } from '../../../lib/mail/address';
import type { Case, LedgerEntry, OrgUnit, Store, Workflow } from '../../../lib/store';
import { mailFromItem } from '../../shared/mail-item';

interface CreateCaseOptions {
	colonSeparator?: boolean;
	caseInsensitive?: boolean;
	allowedFields?: string;
	skipAutomaticMail?: boolean;
	title?: string;
}

/** The workflow named by the parameter (name, or id when no workflow has that name); active only. */
export async function activeWorkflow(store: Store, value: string): Promise<Workflow> {
	const name = value.trim();
	if (!name)
		throw new MailCasesError(
			'INVALID_INPUT',
			'Choose the case workflow the new case starts in ("Workflow")',
		);
	const workflow =
		(await store.workflows.getByName(name)) ??
		(/^\d+$/.test(name) ? await store.workflows.get(Number(name)) : undefined);
	if (!workflow)
		throw new MailCasesError('NOT_FOUND', `Workflow "${name}" does not exist in the case store`);
	if (!workflow.active) {
		throw new MailCasesError(
			'WORKFLOW_INACTIVE',
			`Workflow "${workflow.name}" is inactive; only active workflows can start cases. Activate it or choose another workflow.`,
		);
	}
	return workflow;
}

/** The org unit / role named by the parameter (name, or id when none has that name). */
export async function inboundWorkplace(store: Store, value: string): Promise<OrgUnit> {
	const name = value.trim();
	if (!name) {
		throw new MailCasesError(
			'INVALID_INPUT',
			'Choose the inbound workplace (org unit / role) the new case is assigned to',
		);
	}
	const unit =
		(await store.orgUnits.getByName(name)) ??
		(/^\d+$/.test(name) ? await store.orgUnits.get(Number(name)) : undefined);
	if (!unit)
		throw new MailCasesError(
			'NOT_FOUND',
			`Org unit / role "${name}" does not exist in the case store`,
		);
	return unit;
}

/** Output index 0 = the case, 1 = skipped. */
export type CreateCaseResult = { output: 0 | 1; item: INodeExecutionData };

/** R-PROC-6b: opens a case from the mail of input item `itemIndex` (or finds the one it opened before). */
export async function createCase(
	ctx: IExecuteFunctions,
	itemIndex: number,
	store: Store,
	systemId: string,
): Promise<CreateCaseResult> {
	const item = ctx.getInputData()[itemIndex];
	const options = ctx.getNodeParameter('options', itemIndex, {}) as CreateCaseOptions;
	const mail = await mailFromItem(ctx, itemIndex, { withContent: true });
	const result = (output: 0 | 1, extra: IDataObject): CreateCaseResult => ({
		output,
		item: {
			json: { ...item.json, ...extra },
			binary: item.binary,
			pairedItem: { item: itemIndex },
		},
	});

	if (options.skipAutomaticMail !== false) {
		const verdict = automaticMailVerdict(
			mail,
			(item.json as IDataObject).classification as IDataObject | undefined,
			systemId,
		);
		if (verdict) {
			return result(1, {
				skipped: {
					reason: `Automatic mail (${verdict.class}) opens no case`,
					class: verdict.class,
					reasons: verdict.reasons,
				},
			});
		}
	}

	const messageKey = mailLedgerKey(mail);
	const allowed = (options.allowedFields ?? '')
		.split(',')
		.map((f) => f.trim())
		.filter(Boolean);
	const planFor = (workflow: Workflow) =>
		planFieldUpdates({ text: mail.text, html: mail.html }, workflow.fields, {
			separators: (options.colonSeparator ? ['=', ':'] : ['=']) as FieldSeparator[],
			caseInsensitive: options.caseInsensitive === true,
			allowedFields: allowed.length ? allowed : null,
		});
	const caseResult = async (
		created: Case,
		replayed: boolean,
		activityId: number | null,
		known?: { workflow: Workflow; unit: OrgUnit },
	) => {
		const workflow =
			known?.workflow.id === created.workflowId
				? known.workflow
				: await store.workflows.get(created.workflowId);
		const unit =
			known?.unit.id === created.responsibleOrgUnitId
				? known.unit
				: await store.orgUnits.get(created.responsibleOrgUnitId);
		const contact =
			created.contactId !== null ? await store.contacts.get(created.contactId) : undefined;
		const plan = workflow ? planFor(workflow) : undefined;
		return result(0, {
			// issue #11.7: case.reference is the signed [#number-tag] for an acknowledgement's text
			case: caseJson(
				created,
				subjectReference(created.number, await store.caseReferenceKey()),
			) as unknown as IDataObject,
			workflow: workflow ? { id: workflow.id, name: workflow.name } : null,
			responsible: unit ? { id: unit.id, name: unit.name, kind: unit.kind } : null,
			contact: contactJson(contact) as unknown as IDataObject,
			replayed,
			activityId,
			fields: {
				requested: (plan?.updates ?? {}) as IDataObject,
				unknown: plan?.unknown ?? [],
				invalid: (plan?.invalid ?? []) as unknown as IDataObject[],
				rejected: (plan?.rejected ?? []) as unknown as IDataObject[],
				...(plan?.notes ? { notes: plan.notes } : {}),
			},
		});
	};
	const processedBefore = (entry: LedgerEntry, c: Case | undefined) =>
		result(1, {
			skipped: {
				reason: `The mail was processed before (${entry.outcome}${c ? `, case ${c.number}` : ''}); no case is opened for it`,
				ledgerOutcome: entry.outcome,
				caseNumber: c?.number ?? null,
			},
		});

	// R-PLUS-2: a mail processed before returns its case, whatever the parameters say now (the
	// workflow may have been deactivated since).
	const earlier = await store.ledger.lookup(messageKey);
	if (earlier) {
		const c = earlier.caseId !== null ? await store.cases.get(earlier.caseId) : undefined;
		if (earlier.outcome !== 'case_created' || !c) return processedBefore(earlier, c);
		return await caseResult(c, true, earlier.activityId);
	}

	const workflow = await activeWorkflow(
		store,
		String(ctx.getNodeParameter('workflow', itemIndex, '') ?? ''),
	);
	const unit = await inboundWorkplace(
		store,
		String(ctx.getNodeParameter('inboundWorkplace', itemIndex, '') ?? ''),
	);
	const plan = planFor(workflow);
	const activity = mailActivityInput(mail);
	// One transaction that claims the mail's key first: another worker processing the same mail
	// at the same moment gets this case back (replayed) instead of opening a second one.
	const intake = await store.ledger.createCaseFromMail({
		messageKey,
		workflowId: workflow.id,
		responsibleOrgUnitId: unit.id,
		title: options.title?.trim() || caseTitleFromSubject(mail.subject),
		fields: plan.updates,
		// R-PROC-6b: the sender's address is kept, so a later Send Mail can answer him; #11.6:
		// only when it is exactly one valid mailbox (never a list an acknowledgement would fan out to).
		requesterAddress: validMailbox(mail.from?.address),
		mail: activity.mail,
	});
	if (!intake.case || intake.entry.outcome !== 'case_created')
		return processedBefore(intake.entry, intake.case);
	const out = await caseResult(intake.case, intake.replayed, intake.activity?.id ?? null, {
		workflow,
		unit,
	});
	if (activity.blockedImages > 0) out.item.json.blockedImages = activity.blockedImages;
	return out;
}
