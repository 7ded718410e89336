import { zookeeperStore } from '../support/stores-under-test.js';
import { describeThreeNodes } from './three-nodes.js';

describeThreeNodes(zookeeperStore());
