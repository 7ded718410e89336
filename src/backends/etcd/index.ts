/**
 * The etcd backend (etcd v3.4 or later, the v3 gRPC API).
 *
 * How it maps the contract (details in each file):
 * - Session = an etcd lease kept alive every retryPeriodMs; the local deadline runs from the
 *   send time of the last answered keep-alive (etcd-session.ts, lease-keepalive.ts).
 * - Election = candidates `elections/{name}/{lease}` attached to the lease, lowest create
 *   revision leads, each waiter waits only for its predecessor's deletion; term = the winner's
 *   create revision (etcd-campaign.ts, etcd-leadership.ts). Every wait for a key's deletion
 *   shares one deletions-only watch of the elections prefix (key-deletions.ts).
 * - Fenced write = one transaction comparing the writer's candidate key (still there with the
 *   term as create revision, and nobody created before it) with the write (etcd-kv.ts).
 * - KV version = the key's mod revision, which never repeats, even after a delete.
 * - Watches = etcd watches from a known revision, multiplexed on one stream (etcd-watches.ts).
 * - Members = keys attached to the session's lease.
 *
 * Why a thin client of our own (etcd-client.ts, ~200 lines over @grpc/grpc-js and etcd's
 * published protocol definitions, etcd-proto.ts) rather than the `etcd3` package:
 * - etcd3's Lease reports a lost lease only two TTLs after the last keep-alive (microsoft/etcd3
 *   #155; #57, #110): for a whole TTL after others may have taken over, the holder still
 *   believes it holds the lease. baton must stop at `renewDeadlineMs` after the START of the last
 *   answered keep-alive, so it needs each keep-alive's send time and answer; etcd3 does not
 *   expose them, and its keep-alive timer runs on `Date.now()` (a wall-clock step moves it).
 * - etcd3's Election has elected two leaders: a waiter whose predecessor went concluded it
 *   led while an earlier candidate still did (microsoft/etcd3 #176, closed; 1.1.2 looks again
 *   after a deletion), and both nodes led after an etcd restart (#158). Its leadership ends
 *   only on the campaign's error event, which comes from that late lease loss.
 * - A dropped keep-alive stream must end every term at once; etcd3 retries it silently.
 * Measured side by side (`npm run bench -- alternatives`, docs/benchmarks.md): after a stalled
 * or closed connection, etcd3's old leader went on acting for the 1.5 s watched after another
 * had taken over; after a freeze it acted on resuming; baton's did neither.
 * Working around these inside etcd3 would mean re-implementing its Lease and Election next to
 * it while keeping its connection pool: the client it leaves us is the thin part. etcd3's own
 * Election stays in the election benchmark, side by side with this backend.
 */
export { createEtcdBackend, type EtcdBackendOptions } from './etcd-backend.js';
export { DEFAULT_ETCD_PREFIX } from './etcd-layout.js';
export { parseEtcdUrl, loadEtcdSecrets, displayEtcdAddress, ETCD_URL_EXAMPLE, type EtcdAddress } from './etcd-url.js';
export { EtcdClient, EtcdCallError, type EtcdClientOptions, type EtcdTls } from './etcd-client.js';
export { EtcdLayout } from './etcd-layout.js';
export { METHODS as ETCD_METHODS } from './etcd-proto.js';
