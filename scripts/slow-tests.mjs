// The slowest test files, slowest first (path fragments under dist/test): scripts/run-tests.mjs
// starts them before all others, so no long file is left running alone at the end of the suite
// while the other slot idles. Ranked from a full run's per-file wall times (2 cores, other work
// on the machine); the order matters, not the figures, and a fragment that names no file fails
// the full run. Re-rank when a file becomes one of the slowest or stops being one.
export const SLOWEST_FIRST = [
  'operations/maintenance-postgres.test', // 55-95 s: four node processes, two TTL expiries
  'operations/maintenance-sqlite.test',
  'partitions/failover-zookeeper.test', // 35-55 s: a restart inside the rebalance delay
  'package/package.test', // 35-50 s: npm pack and install, a type check of the installed package
  'operations/leader-transfer-processes-zookeeper.test', // 35-50 s: a preferred leader live for a TTL
  'operations/leader-transfer-processes-sqlite.test',
  'chaos/short-run-postgres.test', // 25-45 s: 15 s of faults between a cluster's start and the checker
  'chaos/short-run-mysql.test',
  'operations/leader-transfer-postgres.test', // 25-40 s
  'operations/leader-transfer-zookeeper.test',
  'operations/leader-transfer-sqlite.test',
  'partitions/failover-sqlite.test', // 30-40 s
  'partitions/failover-postgres.test',
  'partitions/failover-etcd.test',
  'partitions/failover-mysql.test',
  'operations/drain-processes-sqlite.test', // 30-35 s
  'operations/drain-processes-postgres.test',
  'chaos/short-run-etcd.test', // 20-30 s
  'chaos/short-run-zookeeper.test',
  'chaos/short-run-sqlite.test',
  'buckets/handoff-churn-sqlite.test', // 25-30 s
  'buckets/handoff-churn-postgres.test',
  'etcd/cluster-faults.test', // 20-26 s
  'zookeeper/ensemble.test',
  'node/readme.test',
  'cli/demo-robust.test',
  'unit/owned-items/handoff-slots-many.test',
  'partitions/pinot-replicas1-sqlite.test',
];
