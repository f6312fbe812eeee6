import {
	cleanSubject,
	forwardSubject,
	normalizeSubject,
	replySubject,
	splitSubjectPrefix,
} from '../../../lib/mail/subject';

describe('R-PLUS-4: normalizeSubject strips reply and forward prefixes', () => {
	test.each([
		['Re: Frage', 'Frage'],
		['RE: Frage', 'Frage'],
		['re:Frage', 'Frage'],
		['AW: Frage', 'Frage'],
		['Aw: Frage', 'Frage'],
		['WG: Frage', 'Frage'],
		['Fwd: Frage', 'Frage'],
		['FW: Frage', 'Frage'],
		['Antw: Frage', 'Frage'],
		['Antwort: Frage', 'Frage'],
		['SV: Fråga', 'Fråga'],
		['VS: Kysymys', 'Kysymys'],
		['VB: Fråga', 'Fråga'],
		['TR : Question', 'Question'],
		['RV: Pregunta', 'Pregunta'],
		['RES: Pergunta', 'Pergunta'],
		['ENC: Pergunta', 'Pergunta'],
		['R: Domanda', 'Domanda'],
		['RIF: Domanda', 'Domanda'],
		['Odp: Pytanie', 'Pytanie'],
		['PD: Pytanie', 'Pytanie'],
		['YNT: Soru', 'Soru'],
		['Doorst: Vraag', 'Vraag'],
		['Отв: Вопрос', 'Вопрос'],
		['Απ: Ερώτηση', 'Ερώτηση'],
		['回复：问题', '问题'],
		['转发: 问题', '问题'],
		['Re[2]: Frage', 'Frage'],
		['Re(3): Frage', 'Frage'],
		['Re^2: Frage', 'Frage'],
		['Re: AW: WG: Re: Fwd: Frage', 'Frage'],
		['[EXTERNAL] Re: Frage', 'Frage'],
		['RE: [EXTERNAL] AW: Frage', 'Frage'],
		['[Extern] AW: Frage', 'Frage'],
		['[External Sender] Frage', 'Frage'],
		['*EXTERNAL* Frage', 'Frage'],
		['  Re:   viel    Platz  ', 'viel Platz'],
		['AW:', ''],
	])('%j → %j', (subject, expected) => {
		expect(normalizeSubject(subject)).toBe(expected);
	});

	test.each([
		'Rechnung: offen',
		'Reklamation',
		'Antrag: Urlaub',
		'Wartung: Server',
		'Svar på tal',
		'Fall 2026 – Rückblick',
		'Treffen: 10:00',
		'[Newsletter] Ausgabe 3',
	])('keeps subjects that only look like prefixes: %j', (subject) => {
		expect(normalizeSubject(subject)).toBe(subject);
	});

	test('case references stay in front, prefixes behind them go', () => {
		expect(normalizeSubject('AW: [#2026-000123] WG: Frage')).toBe('[#2026-000123] Frage');
		expect(normalizeSubject('[#2026-000123] Re: Frage')).toBe('[#2026-000123] Frage');
		expect(normalizeSubject('Re: [ #2026-000123 ] Frage')).toBe('[#2026-000123] Frage');
	});

	test('case references can be removed', () => {
		expect(
			normalizeSubject('AW: [#2026-000123] Frage [#2026-000124]', { removeCaseReferences: true }),
		).toBe('Frage');
	});

	test('null and undefined give an empty subject', () => {
		expect(normalizeSubject(null)).toBe('');
		expect(normalizeSubject(undefined)).toBe('');
	});
});

describe('R-PLUS-6: subjects with encoded words and umlauts', () => {
	test('base64 UTF-8', () => {
		expect(normalizeSubject('=?UTF-8?B?QVc6IFLDvGNrZnJhZ2UgenUgU3RyYcOfZQ==?=')).toBe(
			'Rückfrage zu Straße',
		);
	});

	test('quoted-printable ISO-8859-1 with underscores', () => {
		expect(normalizeSubject('=?ISO-8859-1?Q?WG:_Gr=FC=DFe_aus_M=FCnchen?=')).toBe(
			'Grüße aus München',
		);
	});

	test('decomposed umlauts are composed (NFC)', () => {
		expect(cleanSubject('Mu\u0308ller')).toBe('Müller');
	});

	test('folded headers, control and invisible characters are cleaned', () => {
		expect(cleanSubject('Re: eins\r\n zwei\u200b\u0007 drei\u202e')).toBe('Re: eins zwei drei');
	});
});

describe('R-PLUS-4: reply and forward subjects', () => {
	test.each([
		['Frage', 'Re: Frage'],
		['Re: Frage', 'Re: Frage'],
		['AW: RE: WG: Frage', 'Re: Frage'],
		['[#2026-000123] Frage', 'Re: [#2026-000123] Frage'],
		['AW: [#2026-000123] Frage', 'Re: [#2026-000123] Frage'],
		['', 'Re:'],
	])('replySubject(%j) = %j', (subject, expected) => {
		expect(replySubject(subject)).toBe(expected);
	});

	test('a German prefix can be chosen', () => {
		expect(replySubject('Re: Frage', { prefix: 'AW' })).toBe('AW: Frage');
		expect(replySubject('Frage', { prefix: 'AW:' })).toBe('AW: Frage');
		expect(forwardSubject('AW: Frage', { prefix: 'WG' })).toBe('WG: Frage');
	});

	test('forwardSubject', () => {
		expect(forwardSubject('Re: Fwd: Frage')).toBe('Fwd: Frage');
		expect(forwardSubject('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=')).toBe('Fwd: Grüße');
	});

	test('no line breaks can be smuggled into the subject', () => {
		expect(replySubject('Frage\r\nBcc: x@example.com')).toBe('Re: Frage Bcc: x@example.com');
		expect(replySubject('Frage', { prefix: 'Re\r\nBcc: x' })).not.toMatch(/[\r\n]/);
	});
});

describe('R-PLUS-4: splitSubjectPrefix', () => {
	test('returns the prefixes as written and the rest', () => {
		expect(splitSubjectPrefix('AW: [EXTERNAL] WG: Frage')).toEqual({
			prefix: 'AW: [EXTERNAL] WG: ',
			rest: 'Frage',
		});
		expect(splitSubjectPrefix('Frage')).toEqual({ prefix: '', rest: 'Frage' });
	});
});
