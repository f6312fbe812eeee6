/**
 * #15.3: the trigger's runs in flight — 4 by default where n8n spreads executions over workers,
 * 1 in a single process, always 1 for POP3, the option when set.
 */
import {
	concurrencyOf,
	QUEUE_MODE_CONCURRENCY,
} from '../../../../nodes/MailCasesTrigger/trigger-settings';

const queue = { EXECUTIONS_MODE: 'queue' };
const multiMain = { N8N_MULTI_MAIN_SETUP_ENABLED: 'true' };
const regular = { EXECUTIONS_MODE: 'regular' };

describe('Max Concurrent Executions (#15.3)', () => {
	test('not set: 1 in one n8n process, 4 in queue mode and multi-main', () => {
		expect(concurrencyOf('imap', undefined, regular)).toBe(1);
		expect(concurrencyOf('imap', undefined, {})).toBe(1);
		expect(QUEUE_MODE_CONCURRENCY).toBe(4);
		expect(concurrencyOf('imap', undefined, queue)).toBe(4);
		expect(concurrencyOf('graph', undefined, queue)).toBe(4);
		expect(concurrencyOf('imap', undefined, multiMain)).toBe(4);
	});

	test('set: the option wins, also 1 in queue mode', () => {
		expect(concurrencyOf('imap', 1, queue)).toBe(1);
		expect(concurrencyOf('imap', 7, regular)).toBe(7);
	});

	test('POP3 always runs one at a time', () => {
		expect(concurrencyOf('pop3', undefined, queue)).toBe(1);
		expect(concurrencyOf('pop3', 5, regular)).toBe(1);
	});
});
