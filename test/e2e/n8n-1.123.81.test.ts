/**
 * The packed package inside a real n8n 1.123.81 (the last 1.x line, run on Node 24), installed
 * from test/e2e/n8n-1.123.81 (scripts/e2e-install.sh): the same scenarios as n8n 2.41.1, see
 * test/e2e/support/suite.ts.
 * The editor in headless Chromium: test/e2e/support/editor-suite.ts.
 * Issue #13's real mailbox traffic through the ticket template: test/e2e/support/real-traffic-suite.ts.
 * Issue #14's case history and findable runs (REST and browser): test/e2e/support/history-suite.ts.
 */
import { describeEditorInN8n } from './support/editor-suite';
import { describeHistoryInN8n } from './support/history-suite';
import { describeRealTrafficInN8n } from './support/real-traffic-suite';
import { describeInN8n } from './support/suite';

describeInN8n('1.123.81');
describeEditorInN8n('1.123.81');
describeRealTrafficInN8n('1.123.81');
describeHistoryInN8n('1.123.81');
