import { historyAndClaimsSuite } from './support/history-and-claims-suite';

jest.setTimeout(30_000);

// #14.1 / #15.2 on PostgreSQL; the unit project runs the same suite on SQLite
describe('case history and send claims on postgres', () => {
	historyAndClaimsSuite('postgres');
});
