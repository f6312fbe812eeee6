import { historyAndClaimsSuite } from '../../integration/store/support/history-and-claims-suite';

// #14.1 / #15.2 on SQLite; the same suite runs on PostgreSQL in the integration project
describe('case history and send claims on sqlite', () => {
	historyAndClaimsSuite('sqlite');
});
