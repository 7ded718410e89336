import { sqliteStore } from '../support/stores-under-test.js';
import { describeThreeNodes } from './three-nodes.js';

describeThreeNodes(sqliteStore('baton-e2e-'));
