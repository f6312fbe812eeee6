import { automaticMailVerdict, caseTitleFromSubject } from '../../../lib/cases/compose-case';
import { loopHeaders } from '../../../lib/mail/loop-header';
import { parseMessage } from '../../../lib/mail/parse-message';
import { simpleMail } from './mail-builder';

describe('R-PROC-6b: the title of a case opened from a mail', () => {
	test.each([
		['AW: WG: Reklamation Lieferung', 'Reklamation Lieferung'],
		['Re: [#2026-000001] Frage', 'Frage'],
		['  Größenänderung  ', 'Größenänderung'],
		['Re:', null],
		['', null],
	])('%j → %j', (subject, title) => {
		expect(caseTitleFromSubject(subject)).toBe(title);
	});

	test('is cut to 500 characters', () => {
		expect([...(caseTitleFromSubject('ä'.repeat(800)) ?? '')].length).toBe(500);
	});
});

describe('R-PLUS-3: automatic mail opens no case', () => {
	test("the trigger's classification decides when the item carries one", async () => {
		const parsed = await parseMessage(simpleMail());
		expect(
			automaticMailVerdict(
				parsed,
				{ class: 'autoReply', reasons: ['Auto-Submitted: auto-replied'] },
				'sys',
			),
		).toEqual({
			class: 'autoReply',
			reasons: ['Auto-Submitted: auto-replied'],
		});
		expect(automaticMailVerdict(parsed, { class: 'bounce', reasons: [] }, 'sys')?.class).toBe(
			'bounce',
		);
		expect(automaticMailVerdict(parsed, { class: 'loop', reasons: [] }, 'sys')?.class).toBe('loop');
		expect(automaticMailVerdict(parsed, { class: 'normal', reasons: [] }, 'sys')).toBeUndefined();
		// mailing-list mail is the user's choice in the trigger, not automatic mail
		expect(automaticMailVerdict(parsed, { class: 'list', reasons: [] }, 'sys')).toBeUndefined();
	});

	test("without a classification the headers are classified with this installation's id", async () => {
		const own = await parseMessage(
			simpleMail(Object.entries(loopHeaders('sys')).map(([k, v]) => `${k}: ${v}`)),
		);
		expect(automaticMailVerdict(own, undefined, 'sys')?.class).toBe('loop');
		const ooo = await parseMessage(simpleMail(['Auto-Submitted: auto-replied']));
		expect(automaticMailVerdict(ooo, null, 'sys')?.class).toBe('autoReply');
		expect(
			automaticMailVerdict(await parseMessage(simpleMail()), undefined, 'sys'),
		).toBeUndefined();
	});
});
