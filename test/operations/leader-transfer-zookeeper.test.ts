import { zookeeperStore } from '../support/stores-under-test.js';
import { describeLeaderTransfer } from './leader-transfer-suite.js';

describeLeaderTransfer(zookeeperStore());
