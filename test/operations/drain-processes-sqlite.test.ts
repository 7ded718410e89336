import { sqliteStore } from '../support/stores-under-test.js';
import { describeDrainProcesses } from './drain-processes.js';

describeDrainProcesses(sqliteStore('baton-drain-proc-'));
