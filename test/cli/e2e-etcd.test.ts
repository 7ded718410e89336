import { etcdStore } from '../support/stores-under-test.js';
import { describeThreeNodes } from './three-nodes.js';

describeThreeNodes(etcdStore());
