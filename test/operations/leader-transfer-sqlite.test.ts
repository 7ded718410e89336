import { sqliteStore } from '../support/stores-under-test.js';
import { describeLeaderTransfer } from './leader-transfer-suite.js';

describeLeaderTransfer(sqliteStore('baton-transfer-'));
