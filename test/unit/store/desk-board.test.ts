import { deskBoardSuite } from '../../integration/store/support/desk-board-suite';

jest.setTimeout(60_000);

// #18 on SQLite; the same suite runs on PostgreSQL in the integration project
describe('case board query on sqlite', () => {
	deskBoardSuite('sqlite');
});
