import { sqliteStore } from '../support/stores-under-test.js';
import { describeTransferProcesses } from './leader-transfer-processes.js';

describeTransferProcesses(sqliteStore('baton-transfer-proc-'));
