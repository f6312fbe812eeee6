/**
 * #14.3 findable runs and #14.4 errors that say the fix, both done centrally by the per-item
 * runner (nodes/shared/run-per-item.ts): the execution's custom data (subject, sender,
 * Message-ID, mail count, case numbers, outcome) and a failed item's error naming its mail and
 * what the nodes before already did.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { MailCasesError } from '../../../../lib/errors';
import { recordRunFacts } from '../../../../nodes/shared/custom-data';
import { itemContext, withItemContext } from '../../../../nodes/shared/errors';
import { runPerItem } from '../../../../nodes/shared/run-per-item';
import {
	describeMail,
	listWithMore,
	mailFactsOf,
	plainText,
} from '../../../../nodes/shared/run-facts';
import { fakeExecute, type FakeOptions } from './fake-execute';

/** n8n's rules for custom data (n8n-core execution-metadata): 10 keys, cut at 512. */
function customDataStore() {
	const values: Record<string, string> = {};
	return {
		values,
		set(key: string, value: string) {
			if (!/^[\p{L}\p{N}\p{M}_]+$/u.test(key)) throw new Error(`bad key ${key}`);
			if (typeof value !== 'string') throw new Error(`bad value for ${key}`);
			if (!(key in values) && Object.keys(values).length >= 10) return;
			values[key.slice(0, 50)] = value.slice(0, 512);
		},
		setAll(obj: Record<string, string>) {
			for (const [k, v] of Object.entries(obj)) this.set(k, v);
		},
		get: (key: string) => values[key],
		getAll: () => ({ ...values }),
	};
}

function ctxOf(type: string, options: FakeOptions, data = customDataStore()) {
	const ctx = fakeExecute(options);
	const node = ctx.getNode();
	node.type = `n8n-nodes-mail-cases.${type}`;
	node.name = 'Send Acknowledgement';
	(ctx as unknown as { getNode: () => unknown }).getNode = () => node;
	Object.defineProperty(ctx, 'customData', { get: () => data });
	return { ctx, data };
}

const mail = (n: number, extra: IDataObject = {}): IDataObject => ({
	messageId: `<m${n}@example.com>`,
	messageKey: `<m${n}@example.com>`,
	subject: `Anfrage ${n}`,
	from: { address: `kunde${n}@example.com`, name: 'Erika' },
	...extra,
});

describe('run facts: texts from a stranger', () => {
	test('control and invisible characters go, whitespace folds, long text is cut with …', () => {
		expect(plainText('A\r\nB\u0007C\u202eD\t E', 100)).toBe('A BCD E');
		expect(plainText('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
		expect(plainText(undefined, 10)).toBe('');
	});

	test('a mail item names subject, sender and Message-ID; an item that is no mail gives null', () => {
		const facts = mailFactsOf(mail(1));
		expect(facts).toEqual({
			subject: 'Anfrage 1',
			from: 'kunde1@example.com',
			messageId: '<m1@example.com>',
			messageKey: '<m1@example.com>',
		});
		expect(describeMail(facts!)).toBe(
			'"Anfrage 1" from kunde1@example.com (Message-ID <m1@example.com>)',
		);
		expect(
			describeMail(mailFactsOf({ ...mail(2), messageId: null, messageKey: 'sha256:ab12' })!),
		).toBe('"Anfrage 2" from kunde2@example.com (no Message-ID, key sha256:ab12)');
		expect(mailFactsOf({ id: 3, name: 'a case' })).toBeNull();
	});

	test('a list too long for its limit ends in "(+N more)"', () => {
		expect(listWithMore(['1001', '1002'], 50)).toBe('1001, 1002');
		expect(listWithMore(['1001', '1002', '1003', '1004'], 20)).toBe('1001, 1002 (+2 more)');
	});
});

describe('#14.3 custom data of the execution', () => {
	test('the first node sets the mail; the case nodes add case number and outcome', async () => {
		const data = customDataStore();
		const input = [mail(1)];
		const match = ctxOf('caseMatch', { items: input }, data).ctx;
		await runPerItem(match, {
			outputs: 2,
			item: async (i) => ({ output: 1, item: { json: { ...input[i], reason: 'noCase' } } }),
		});
		expect(data.values).toEqual({
			subject: 'Anfrage 1',
			from: 'kunde1@example.com',
			messageId: '<m1@example.com>',
			mails: '1',
		});
		const created = { ...mail(1), case: { number: '1042' }, activityId: 7, replayed: false };
		await runPerItem(ctxOf('createCaseFromMail', { items: input }, data).ctx, {
			outputs: 2,
			item: async () => ({ output: 0, item: { json: created } }),
		});
		await runPerItem(ctxOf('notifyResponsible', { items: [created] }, data).ctx, {
			item: async () => ({
				json: { ...created, notification: { notified: true, recipients: ['a@x', 'b@x'] } },
			}),
		});
		const ack = { items: [created], parameters: { options: { replyToIncoming: true } } };
		await runPerItem(ctxOf('mailCasesSendMail', ack, data).ctx, {
			item: async () => ({ json: { sent: true, replayed: false, caseNumber: '1042' } }),
		});
		expect(data.values).toMatchObject({
			subject: 'Anfrage 1',
			caseNumber: '1042',
			outcome: 'case created; agents notified; acknowledgement sent',
		});
		// #14.2 a permanent rejection recorded on the case (On Permanent Rejection: record and continue)
		await runPerItem(ctxOf('mailCasesSendMail', ack, data).ctx, {
			item: async () => ({ json: { sent: false, outcome: 'rejected', caseNumber: '1042' } }),
		});
		await runPerItem(ctxOf('mailCasesSendMail', { items: [created] }, data).ctx, {
			item: async () => ({ json: { sent: false, outcome: 'skipped' } }),
		});
		expect(data.values.outcome).toBe(
			'case created; agents notified; acknowledgement sent; acknowledgement rejected; mail not sent',
		);
	});

	test('a run of several mails: first subject + "(+N more)", all case numbers, counted outcomes', async () => {
		const data = customDataStore();
		const input = [mail(1), mail(2), mail(3, { subject: 'Abwesenheit' })];
		await runPerItem(ctxOf('createCaseFromMail', { items: input }, data).ctx, {
			outputs: 2,
			item: async (i) =>
				i < 2
					? {
							output: 0,
							item: { json: { ...input[i], case: { number: `10${i}` }, activityId: i } },
						}
					: {
							output: 1,
							item: {
								json: { ...input[i], skipped: { reason: 'Automatic mail', class: 'auto-reply' } },
							},
						},
		});
		expect(data.values).toEqual({
			subject: 'Anfrage 1 (+2 more)',
			from: 'kunde1@example.com',
			messageId: '<m1@example.com>',
			mails: '3',
			caseNumber: '100, 101',
			outcome: 'case created ×2; skipped (auto-reply)',
		});
	});

	test('Mail Case → Record Delivery Failure: the bounced case and "delivery failure recorded"', async () => {
		const data = customDataStore();
		const bounce = mail(9, { subject: 'Undelivered Mail Returned to Sender' });
		await runPerItem(ctxOf('mailCase', { items: [bounce] }, data).ctx, {
			item: async () => ({
				json: { ...bounce, deliveryFailure: { recorded: true, caseNumber: '2026-000007' } },
			}),
		});
		expect(data.values).toMatchObject({
			subject: 'Undelivered Mail Returned to Sender',
			caseNumber: '2026-000007',
			outcome: 'delivery failure recorded',
		});
		// other Mail Case operations (a case read) add no case number or outcome
		const other = customDataStore();
		await runPerItem(ctxOf('mailCase', { items: [{}] }, other).ctx, {
			item: async () => ({ json: { number: '2026-000001', caseNumber: '2026-000001' } }),
		});
		expect(other.values).toEqual({});
	});

	test('a stranger subject is cleaned and kept within 255 characters, the "+N more" kept', async () => {
		const data = customDataStore();
		const long = `Hallo\u0000\r\n${'ü'.repeat(400)}`;
		const input = [mail(1, { subject: long }), mail(2)];
		await runPerItem(ctxOf('parseFields', { items: input }, data).ctx, {
			item: async (i) => ({ json: input[i] }),
		});
		expect(data.values.subject.length).toBeLessThanOrEqual(255);
		expect(data.values.subject).toMatch(/^Hallo ü+… \(\+1 more\)$/);
		expect(Object.keys(data.values)).not.toContain('caseNumber'); // not a case node
	});

	test('a mail without Message-ID is named by its key; a failing item counts as "failed in"', async () => {
		const data = customDataStore();
		const input = [{ ...mail(1), messageId: null, messageKey: 'sha256:abc' }];
		const { ctx } = ctxOf('mailCasesSendMail', { items: input }, data);
		await expect(
			runPerItem(ctx, {
				item: async () => {
					throw new MailCasesError('RECIPIENT_REJECTED', 'The server refused the recipient.');
				},
			}),
		).rejects.toThrow('The server refused the recipient.');
		expect(data.values).toMatchObject({
			messageKey: 'sha256:abc',
			outcome: 'failed in Send Acknowledgement (RECIPIENT_REJECTED)',
		});
		expect(data.values).not.toHaveProperty('messageId');
	});

	test('n8n 1.123 (no this.customData): reached as $execution.customData through the data proxy', async () => {
		const data = customDataStore();
		const ctx = fakeExecute({ items: [mail(5)] });
		Object.assign(ctx, { getWorkflowDataProxy: () => ({ $execution: { customData: data } }) });
		await runPerItem(ctx, { item: async (i) => ({ json: { i } }) });
		expect(data.values).toMatchObject({ subject: 'Anfrage 5', mails: '1' });
	});

	test('a context without custom data (or one that throws) runs the items as before', async () => {
		const ctx = fakeExecute({ items: [mail(1)] });
		Object.defineProperty(ctx, 'customData', {
			get: () => {
				throw new Error('Cannot access customData: runExecutionData is not available');
			},
		});
		const out = await runPerItem(ctx, { item: async (i) => ({ json: { i } }) });
		expect(out[0]).toHaveLength(1);
		expect(() => recordRunFacts(fakeExecute() as IExecuteFunctions, [], [])).not.toThrow();
	});
});

describe('#14.4 a failed item names its mail and what was already done', () => {
	const created = {
		...mail(1, { messageId: null, messageKey: 'sha256:ab12' }),
		case: { number: '1042' },
		activityId: 5,
		replayed: false,
		notification: { notified: true, recipients: ['a@x', 'b@x'] },
	};

	test('the context: mail, case created, agents notified', () => {
		expect(itemContext(created)).toBe(
			'Mail: "Anfrage 1" from kunde1@example.com (no Message-ID, key sha256:ab12). ' +
				'Already done: case 1042 created; agents notified (2 recipients).',
		);
		expect(itemContext({ ...mail(2), case: { number: '7' }, caseMatch: { by: 'subject' } })).toBe(
			'Mail: "Anfrage 2" from kunde2@example.com (Message-ID <m2@example.com>). Already done: case 7 found.',
		);
		expect(itemContext({ id: 1 })).toBe('');
	});

	test('the error keeps its code and message (and advice) and is thrown with the item index', async () => {
		const { ctx } = ctxOf('mailCasesSendMail', { items: [created] });
		const original = new MailCasesError(
			'INVALID_INPUT',
			'"Send Once Per" is empty: no key to send the mail once for. Set it to the mail\'s key.',
		);
		const error = await runPerItem(ctx, {
			item: async () => {
				throw original;
			},
		}).then(
			() => {
				throw new Error('the run did not fail');
			},
			(e: unknown) => e as NodeOperationError,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			`${original.message} Mail: "Anfrage 1" from kunde1@example.com (no Message-ID, key sha256:ab12). ` +
				'Already done: case 1042 created; agents notified (2 recipients).',
		);
		expect(error.description).toBe('Error code INVALID_INPUT');
		expect(error.context.itemIndex).toBe(0);
	});

	test('what another branch of a one-mail run did (the custom data outcome) is named too', async () => {
		const data = customDataStore();
		const input = { ...mail(4), case: { number: '77' }, activityId: 1 };
		Object.assign(data.values, { mails: '1', outcome: 'case created; agents notified' });
		const { ctx } = ctxOf('mailCasesSendMail', { items: [input] }, data);
		const error = await runPerItem(ctx, {
			item: async () => {
				throw new MailCasesError(
					'NOT_FOUND',
					'Record on Case: case 9 does not exist; nothing was sent',
				);
			},
		}).then(
			() => {
				throw new Error('the run did not fail');
			},
			(e: unknown) => e as Error,
		);
		expect(error.message).toBe(
			'Record on Case: case 9 does not exist; nothing was sent. Mail: "Anfrage 4" from kunde4@example.com ' +
				'(Message-ID <m4@example.com>). Already done: case 77 created; agents notified.',
		);
		// with several mails in the run the outcome may be another mail's: not named
		Object.assign(data.values, { mails: '2' });
		const other = await runPerItem(ctxOf('mailCasesSendMail', { items: [input] }, data).ctx, {
			item: async () => {
				throw new MailCasesError('NOT_FOUND', 'Case 9 does not exist.');
			},
		}).then(
			() => {
				throw new Error('the run did not fail');
			},
			(e: unknown) => e as Error,
		);
		expect(other.message).toMatch(/Already done: case 77 created\.$/);
	});

	test('Continue On Fail: the error item carries the same message and the code', async () => {
		const { ctx } = ctxOf('notifyResponsible', { items: [created], continueOnFail: true });
		const [[item]] = await runPerItem(ctx, {
			item: async () => {
				throw new MailCasesError('NOT_FOUND', 'Org unit 9 does not exist.');
			},
		});
		expect(item.json.code).toBe('NOT_FOUND');
		expect(item.json.error).toMatch(
			/^Org unit 9 does not exist\. Mail: "Anfrage 1".*case 1042 created/,
		);
	});

	test('a mail subject with control characters cannot break the message; other errors keep their type', () => {
		const hostile = { ...mail(1), subject: 'Hi\r\nBcc: x@y\u202e' };
		const wrapped = withItemContext(new MailCasesError('INTERNAL', 'Boom.'), hostile) as Error;
		expect(wrapped.message).toBe(
			'Boom. Mail: "Hi Bcc: x@y" from kunde1@example.com (Message-ID <m1@example.com>).',
		);
		const plain = withItemContext(new TypeError('x is undefined'), hostile) as Error;
		expect(plain.name).toBe('TypeError');
		expect(plain.message).toMatch(/^x is undefined\. Mail: /);
		expect(withItemContext(plain, hostile)).toBe(plain); // not twice
	});
});
