/**
 * The packed package inside a real n8n 2.41.1 (Node 24), installed from test/e2e/n8n-2.41.1
 * (scripts/e2e-install.sh): node types listed, credential tests through the REST API
 * (R-OUT-7, R-IN-3), and an active trigger workflow whose failing mail is retried and
 * quarantined by the n8n server (R-PROC-4, R-PLUS-1). Scenarios: test/e2e/support/suite.ts.
 * The editor in headless Chromium: test/e2e/support/editor-suite.ts.
 * Issue #13's real mailbox traffic through the ticket template: test/e2e/support/real-traffic-suite.ts.
 * Issue #14's case history and findable runs (REST and browser): test/e2e/support/history-suite.ts.
 */
import { describeEditorInN8n } from './support/editor-suite';
import { describeHistoryInN8n } from './support/history-suite';
import { describeRealTrafficInN8n } from './support/real-traffic-suite';
import { describeInN8n } from './support/suite';

describeInN8n('2.41.1');
describeEditorInN8n('2.41.1');
describeRealTrafficInN8n('2.41.1');
describeHistoryInN8n('2.41.1');
