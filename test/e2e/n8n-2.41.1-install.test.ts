/**
 * Issue #16.1 in n8n 2.41.1: the package installed, updated and uninstalled through the editor's
 * Settings → Community nodes, from a private registry on loopback. See
 * test/e2e/support/community-install-suite.ts.
 */
import { describeCommunityInstallInN8n } from './support/community-install-suite';

describeCommunityInstallInN8n('2.41.1');
