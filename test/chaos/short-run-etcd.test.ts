import { shortChaosRun } from './short-run.js';

shortChaosRun('etcd');
