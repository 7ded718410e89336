/**
 * The node's own settings: identity, store, HTTP, advertised address, election timing, auth
 * and logging. Feature sections (`buckets`, `partitions`, ...) live in files of their own.
 */
import { DEFAULT_TIMING } from '../../contract/timing.js';
import {
  booleanLeaf,
  integerLeaf,
  integerMapLeaf,
  optionalStringLeaf,
  positiveNumberLeaf,
  section,
  shareLeaf,
  stringLeaf,
  stringListLeaf,
  type Spec,
} from '../../feature/config-spec.js';

/** Default HTTP port of a node (any free port when 0). */
export const DEFAULT_HTTP_PORT = 7400;
/** Default store: the embedded SQLite file, relative to the working directory. */
export const DEFAULT_STORE_URL = 'sqlite:./.baton/baton.db';

const MAX_PORT = 65_535;

export const coreFields: Record<string, Spec> = {
  cluster: stringLeaf({ doc: 'Cluster name: nodes with the same store and cluster form one cluster.', default: 'baton' }),
  nodeId: optionalStringLeaf({
    doc: 'This node\'s id, unique among live nodes. Default: `<advertise.host or hostname>-<http.port>` (with `http.port` 0: `<host>-pid<pid>`).',
    default: null,
  }),
  store: section(
    'Where cluster state is kept. `store: <url>` is short for `store.url`.',
    {
      url: stringLeaf({
        doc: 'Store URL: `sqlite:PATH`, `postgres://...`, `mysql://...`, `zookeeper://host:port[,host:port]/chroot` (ZooKeeper digest ACLs: add `?digest-file=PATH` or `?digest-env=NAME` naming where "user:password" is kept), `etcd://host:2379[,host:2379]/prefix` (TLS: `?ca-file=PATH&cert-file=PATH&key-file=PATH`; etcd auth: `?user=NAME&password-file=PATH` or `password-env=NAME`), or `none` (one node, in memory).',
        default: DEFAULT_STORE_URL,
        env: 'BATON_STORE',
        flag: 'store',
      }),
      tablePrefix: stringLeaf({
        doc: 'Prefix of the SQL table names (`baton_` gives `baton_lease`, `baton_member`, `baton_kv`, `baton_waiter`, `baton_migrations`).',
        default: 'baton_',
        pattern: /^[A-Za-z][A-Za-z0-9_]{0,31}$/,
        expects: 'a letter followed by at most 31 letters, digits or underscores',
      }),
      migrate: booleanLeaf({ doc: 'Create the tables at start-up when they are missing (SQL stores).', default: true }),
      connectAttempts: integerLeaf({
        doc: 'How many times the node tries to reach the store at start-up before it gives up (transient errors only).',
        default: 5,
        min: 1,
        max: 1000,
      }),
      connectBackoffMs: integerLeaf({
        // Wall time between start-up connection attempts; doubles after each failure up to 10x.
        // 500 ms rides out a database that is still starting without hammering it.
        doc: 'Wait before the second connection attempt, in ms; doubles after each failure, up to 10 times this value.',
        default: 500,
        min: 1,
        max: 600_000,
      }),
    },
    'url',
  ),
  http: section('The HTTP API and dashboard.', {
    host: stringLeaf({ doc: 'Address the HTTP server binds.', default: '127.0.0.1' }),
    port: integerLeaf({ doc: 'HTTP port; 0 picks any free port (logged at start-up).', default: DEFAULT_HTTP_PORT, min: 0, max: MAX_PORT }),
  }),
  advertise: section('What this node publishes as its member info (clients use it to reach the leader).', {
    host: optionalStringLeaf({ doc: 'Host others use to reach this node. Default: `http.host`, or the hostname when that is 0.0.0.0 or ::.', default: null }),
    ports: integerMapLeaf({ doc: 'Named ports (`http` is added from `http.port` when absent).', default: Object.freeze({}), min: 1, max: MAX_PORT }),
    zone: optionalStringLeaf({ doc: 'Failure zone (rack, availability zone).', default: null }),
    weight: positiveNumberLeaf({ doc: 'Relative capacity, used when work is spread over nodes.', default: 1 }),
    tags: stringListLeaf({ doc: 'Free-form labels.', default: Object.freeze([]) }),
  }),
  election: section('Session and lease timing (see docs/safety.md), and the preferred leader. Must hold: ttlMs > renewDeadlineMs > 1.2 * retryPeriodMs.', {
    ttlMs: integerLeaf({ doc: 'How long after the last renewal others may take over, on the store\'s clock (ms).', default: DEFAULT_TIMING.ttlMs, min: 1 }),
    renewDeadlineMs: integerLeaf({ doc: 'Local deadline: without a successful renewal for this long (monotonic clock, ms) the node stops acting.', default: DEFAULT_TIMING.renewDeadlineMs, min: 1 }),
    retryPeriodMs: integerLeaf({ doc: 'How often the session is renewed (on SQL stores that renewal keeps every lease of the node), and the wait before campaigning again (ms).', default: DEFAULT_TIMING.retryPeriodMs, min: 1 }),
    pollIntervalMs: integerLeaf({ doc: 'How often poll-based stores (SQLite, MySQL) are read for changes (ms).', default: DEFAULT_TIMING.pollIntervalMs, min: 1 }),
    preferredLeader: optionalStringLeaf({
      doc: 'Node id that should lead the cluster when it is live: a leader that is not it moves the leadership to it (a leader transfer) once it has been live for `ttlMs`, at most once per session of that node. Give every node the same value.',
      default: null,
    }),
  }),
  placement: section('How the cluster leader places buckets and partitions (see docs/operations.md).', {
    // At most the members a store can hold in practice; the gate's other rules still bound the
    // wait (3 s of unchanged members, at most 15 s), so a wrong count only delays, never blocks.
    expectedNodes: integerLeaf({
      doc: 'How many nodes the deployment runs (its replicas): a new leader places buckets and partitions as soon as this many nodes are live, instead of waiting until the membership has not changed for 3 s (at most 15 s, as without it). 0: off (always wait for the membership to settle).',
      default: 0,
      min: 0,
      max: 10_000,
    }),
    // Off by default: a freeze trades availability for stability (the vanished nodes' items wait
    // without a holder until an operator acts), and only the operator knows the cluster's zones;
    // any default that triggers would stop a 2- or 3-node cluster from recovering one crash.
    autoFreeze: section('Maintenance mode turned on by the leader itself when many nodes vanish at once (a zone outage must not reshuffle everything).', {
      vanishedNodes: integerLeaf({ doc: 'Freeze placement when at least this many nodes have vanished at once; 0: off.', default: 0, min: 0 }),
      vanishedShare: shareLeaf({ doc: 'Freeze placement when at least this share (0 to 1) of the nodes have vanished at once; 0: off.', default: 0 }),
    }),
  }),
  auth: section('Access to mutating HTTP endpoints.', {
    token: optionalStringLeaf({ doc: 'Bearer token that mutating endpoints require; when unset they are refused (403).', default: null }),
    tokenFile: optionalStringLeaf({ doc: 'File whose first line is the bearer token (instead of auth.token: a file keeps the secret out of `ps`, shell history and the config file).', default: null }),
  }),
  drain: section('Handing everything over before stopping (issue 19; `baton drain`, `POST /drain`).', {
    onStopMs: integerLeaf({
      // 20 s: a drain is one leader handoff plus one handoff per item, up to 64 items at once
      // (MAX_CAMPAIGNS_IN_FLIGHT), a few round trips each, so even thousands of items move in
      // seconds; and it fits Kubernetes' default 30 s termination grace (SIGKILL after it) with
      // 10 s left for the close itself.
      doc: 'On SIGTERM (`baton start`), how long the node drains (hands its leadership and items to other nodes) before it closes anyway, ms; 0 closes at once without draining.',
      default: 20_000,
      min: 0,
      max: 3_600_000,
    }),
  }),
  log: section('Logging (JSON lines on stdout).', {
    level: stringLeaf({ doc: 'Log level.', default: 'info', oneOf: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  }),
};
