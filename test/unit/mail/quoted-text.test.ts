import {
	ownText,
	quotedContentStart,
	stripQuotedReply,
	stripSignature,
} from '../../../lib/mail/quoted-text';

const lines = (...l: string[]) => l.join('\n');

describe('R-PROC-5: stripQuotedReply removes quoted reply text', () => {
	test('lines starting with > are removed, interleaved answers kept', () => {
		const text = lines(
			'> Wie ist der Stand?',
			'Status = erledigt',
			'>> Name = Alt',
			'  > Ort = Alt',
			'Danke',
		);
		expect(stripQuotedReply(text)).toBe(lines('Status = erledigt', 'Danke'));
	});

	test.each([
		['German Thunderbird', 'Am 29.11.2026 um 10:00 schrieb Max Mustermann:'],
		[
			'German Gmail',
			'Am Mo., 29. Nov. 2026 um 10:00 Uhr schrieb Max Mustermann <max@example.com>:',
		],
		['German Apple Mail', 'Am 29.11.2026 um 10:00 schrieb Max Mustermann <max@example.com>:'],
		['English Gmail', 'On Mon, Nov 29, 2026 at 10:00 AM Max Mustermann <max@example.com> wrote:'],
		['English Thunderbird', 'On 29/11/2026 10:00, Max Mustermann wrote:'],
		['French', 'Le lun. 29 nov. 2026 à 10:00, Max Mustermann <max@example.com> a écrit :'],
		['Spanish', 'El lun, 29 nov 2026 a las 10:00, Max Mustermann escribió:'],
		['Dutch', 'Op ma 29 nov. 2026 om 10:00 schreef Max Mustermann <max@example.com>:'],
		['Italian', 'Il giorno lun 29 nov 2026 alle ore 10:00 Max Mustermann ha scritto:'],
		['Swedish', 'Den 29 nov. 2026 kl. 10:00 skrev Max Mustermann <max@example.com>:'],
		['Portuguese', 'Em seg., 29 de nov. de 2026 às 10:00, Max escreveu:'],
		['date first', '29.11.2026 10:00, Max Mustermann wrote:'],
		['Outlook original message', '-----Original Message-----'],
		['Outlook German original message', '-----Ursprüngliche Nachricht-----'],
		['Thunderbird original message', '-------- Original-Nachricht --------'],
		['Gmail forward', '---------- Forwarded message ---------'],
		['German forward', '-------- Weitergeleitete Nachricht --------'],
		['Apple forward', 'Begin forwarded message:'],
		['Apple German forward', 'Anfang der weitergeleiteten Nachricht:'],
	])('cuts at the %s attribution/separator', (_what, attribution) => {
		const text = lines('Name = Neu', '', attribution, 'Name = Alt', 'Ort = Alt');
		expect(stripQuotedReply(text)).toBe('Name = Neu');
	});

	test('an attribution wrapped over two lines is recognised', () => {
		const text = lines(
			'Name = Neu',
			'Am Mo., 29. Nov. 2026 um 10:00 Uhr schrieb Max Mustermann <',
			'max@example.com>:',
			'Name = Alt',
		);
		expect(stripQuotedReply(text)).toBe('Name = Neu');
	});

	test('Outlook header block (German)', () => {
		const text = lines(
			'Name = Neu',
			'',
			'________________________________',
			'Von: Max Mustermann <max@example.com>',
			'Gesendet: Montag, 29. November 2026 10:00',
			'An: service@example.com',
			'Betreff: Vorgang 2026-000123',
			'',
			'Name = Alt',
		);
		expect(stripQuotedReply(text)).toBe('Name = Neu');
	});

	test('Outlook header block (English, bold markers from HTML conversion)', () => {
		const text = lines(
			'Status = offen',
			'*From:* Max <max@example.com>',
			'*Sent:* Monday, November 29, 2026 10:00 AM',
			'*To:* service@example.com',
			'*Subject:* RE: x',
			'Status = alt',
		);
		expect(stripQuotedReply(text)).toBe('Status = offen');
	});

	test('forward header block (From, Date, Subject, To)', () => {
		const text = lines(
			'Bitte übernehmen.',
			'From: Max <max@example.com>',
			'Date: 29. November 2026 um 10:00:00 MEZ',
			'Subject: Frage',
			'To: a@example.com',
			'Name = Alt',
		);
		expect(stripQuotedReply(text)).toBe('Bitte übernehmen.');
	});

	test('field lines named like headers are not taken for a header block', () => {
		const text = lines('Von: Berlin', 'Nach: Hamburg', 'Datum: 29.11.2026', 'Gewicht: 12');
		expect(quotedContentStart(text)).toBe(-1);
		expect(stripQuotedReply(text)).toBe(text);
	});

	test('prose that merely starts like an attribution is kept', () => {
		const text = lines('Am Ende schrieb er mir:', 'Name = Neu');
		expect(stripQuotedReply(text)).toBe(text);
		const text2 = lines('On second thought, I wrote:', 'Name = Neu');
		expect(stripQuotedReply(text2)).toBe(text2);
	});

	test('an undated "X wrote:" counts only when quoted lines follow', () => {
		expect(
			stripQuotedReply(
				lines('Name = Neu', 'Max Mustermann wrote:', '', '> Name = Alt', 'Ort = Alt'),
			),
		).toBe('Name = Neu');
		expect(stripQuotedReply(lines('Name = Neu', 'Max Mustermann wrote:', 'Ort = Neu'))).toBe(
			lines('Name = Neu', 'Max Mustermann wrote:', 'Ort = Neu'),
		);
	});

	test('CRLF line endings', () => {
		expect(stripQuotedReply('Name = Neu\r\n> Name = Alt\r\nOrt = X\r\n')).toBe(
			'Name = Neu\nOrt = X',
		);
	});

	test('text without quotes is unchanged (apart from trailing blank lines)', () => {
		expect(stripQuotedReply('Name = A\nOrt = B\n\n')).toBe('Name = A\nOrt = B');
		expect(stripQuotedReply('')).toBe('');
	});
});

describe('R-PROC-5: stripSignature', () => {
	test('cuts at the "-- " delimiter', () => {
		expect(stripSignature(lines('Name = A', '', '-- ', 'Max Mustermann', 'Tel = 0123'))).toBe(
			'Name = A',
		);
	});

	test('accepts "--" without the trailing space', () => {
		expect(stripSignature(lines('Name = A', '--', 'Firma = X GmbH'))).toBe('Name = A');
	});

	test('does not cut at other dash lines', () => {
		const text = lines('Name = A', '---', 'Ort = B', '-- text', '--- ');
		expect(stripSignature(text)).toBe(text);
	});
});

describe('R-PROC-5: ownText', () => {
	test('quoted text and signature removed together', () => {
		const text = lines(
			'Name = Neu',
			'-- ',
			'Max',
			'',
			'Am 29.11.2026 um 10:00 schrieb Service:',
			'> Name = Alt',
		);
		expect(ownText(text)).toBe('Name = Neu');
	});
});
