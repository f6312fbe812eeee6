/**
 * Issue #18, the agent desk (case board and reply form templates) in a real n8n 2.41.1 with
 * Chromium: test/e2e/support/desk-suite.ts.
 */
import { describeDeskInN8n } from './support/desk-suite';

describeDeskInN8n('2.41.1');
