import { deskBoardSuite } from './support/desk-board-suite';

jest.setTimeout(60_000);

// #18 on PostgreSQL; the unit project runs the same suite on SQLite
describe('case board query on postgres', () => {
	deskBoardSuite('postgres');
});
