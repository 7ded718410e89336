import { zookeeperStore } from '../support/stores-under-test.js';
import { describeTransferProcesses } from './leader-transfer-processes.js';

describeTransferProcesses(zookeeperStore());
