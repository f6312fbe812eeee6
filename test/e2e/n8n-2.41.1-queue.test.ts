/**
 * The packed package in n8n 2.41.1 in queue mode (issue #15.5): main + 2 workers against the
 * machine's Redis and a fresh PostgreSQL database, the ticket template with a PostgreSQL store.
 * Scenarios: test/e2e/support/queue-suite.ts; the processes: test/e2e/support/queue-mode.ts.
 */
import { describeQueueModeInN8n } from './support/queue-suite';

describeQueueModeInN8n('2.41.1');
