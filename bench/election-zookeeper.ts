/**
 * ZooKeeper election benchmark: a section for docs/benchmarks.md (bench/election.ts appends it).
 * On a standalone server started by the test fixture, with three contender PROCESSES:
 * - graceful handoff: the leader resigns; time until the next contender leads (>= 20 trials);
 * - crash failover: the leader is SIGKILLed; time until the next leads, against the session timeout;
 * - raw get/set throughput of ZkClient against the bare node-zookeeper-client, same server, same run.
 *
 * `node dist/bench/election-zookeeper.js` prints the section; `... contender <connect> <id>` is
 * the contender process this module forks.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createZookeeperBackend, ZkClient } from '../src/backends/zookeeper/index.js';
import { startStandalone } from '../test/support/zookeeper-fixture.js';
import { quantile, table } from './report.js';

/** Contender timing: a 3 s session (the server's tick is 250 ms), deadline 2 s, probe every 400 ms. */
const TIMING = Object.freeze({ ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });
const ELECTION = 'bench-leader';
const HANDOFF_TRIALS = 30;
const CRASH_TRIALS = 6;
/** Operations per throughput run, how many are in flight at once, and runs per client. */
const THROUGHPUT_OPS = 1_500;
const THROUGHPUT_CONCURRENCY = 16;
const THROUGHPUT_ROUNDS = 8;
/** A trial that takes longer than this failed, ms (real time). */
const TRIAL_TIMEOUT_MS = 15_000;

type Message = { type: 'ready'; id: string } | { type: 'leading'; id: string; term: number };

class Contenders {
  readonly #connect: string;
  readonly #children = new Map<string, ChildProcess>();
  readonly #waiters = new Set<(m: Message) => void>();
  #next = 0;
  leader: string | undefined;

  constructor(connect: string) {
    this.#connect = connect;
  }

  async spawn(): Promise<void> {
    const id = `c${this.#next++}`;
    const child = fork(fileURLToPath(import.meta.url), ['contender', this.#connect, id], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.#children.set(id, child);
    child.on('message', (m: Message) => {
      if (m.type === 'leading') this.leader = m.id;
      for (const waiter of [...this.#waiters]) waiter(m);
    });
    child.once('exit', () => this.#children.delete(id));
    await this.until((m) => m.type === 'ready' && m.id === id);
  }

  /** Resolves with the first message that `match` accepts. */
  until(match: (m: Message) => boolean): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error('benchmark trial timed out'));
      }, TRIAL_TIMEOUT_MS);
      const waiter = (m: Message) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(m);
      };
      this.#waiters.add(waiter);
    });
  }

  send(id: string, command: 'resign'): void {
    this.#children.get(id)?.send(command);
  }

  async kill(id: string): Promise<void> {
    const child = this.#children.get(id);
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#children.keys()].map((id) => this.kill(id)));
  }
}

async function electionTrials(connect: string): Promise<{ handoff: number[]; crash: number[] }> {
  const contenders = new Contenders(connect);
  try {
    for (let i = 0; i < 3; i++) await contenders.spawn();
    if (!contenders.leader) await contenders.until((m) => m.type === 'leading');
    const handoff: number[] = [];
    for (let trial = 0; trial < HANDOFF_TRIALS; trial++) {
      const old = contenders.leader as string;
      const started = performance.now();
      const next = contenders.until((m) => m.type === 'leading' && m.id !== old);
      contenders.send(old, 'resign');
      await next;
      handoff.push(performance.now() - started);
    }
    const crash: number[] = [];
    for (let trial = 0; trial < CRASH_TRIALS; trial++) {
      const old = contenders.leader as string;
      const next = contenders.until((m) => m.type === 'leading' && m.id !== old);
      const started = performance.now();
      await contenders.kill(old);
      await next;
      crash.push(performance.now() - started);
      await contenders.spawn(); // back to three contenders
    }
    return { handoff, crash };
  } finally {
    await contenders.close();
  }
}

/** ops/s of `op` run THROUGHPUT_OPS times, THROUGHPUT_CONCURRENCY at a time. */
async function throughput(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < THROUGHPUT_OPS) await op(next++);
  };
  await Promise.all(Array.from({ length: THROUGHPUT_CONCURRENCY }, worker));
  return THROUGHPUT_OPS / ((performance.now() - started) / 1000);
}

interface BareClient {
  connect(): void;
  close(): void;
  once(event: 'connected', listener: () => void): void;
  setData(path: string, data: Buffer, version: number, cb: (e: Error | null) => void): void;
  getData(path: string, cb: (e: Error | null, data?: Buffer) => void): void;
}

async function throughputRatio(connect: string): Promise<{ wrapper: number; bare: number }> {
  const library = createRequire(import.meta.url)('node-zookeeper-client') as { createClient(c: string, o: object): BareClient };
  const bare = library.createClient(connect, { sessionTimeout: 10_000 });
  await new Promise<void>((resolve) => {
    bare.once('connected', resolve);
    bare.connect();
  });
  const wrapper = await ZkClient.connect({ connect, sessionTimeoutMs: 10_000 });
  await wrapper.create('/bench-throughput', Buffer.from('0'), { createParents: true });
  const data = Buffer.from(JSON.stringify({ value: 'x'.repeat(100) }));
  const bareOp = (i: number) => new Promise<void>((resolve, reject) => {
    const done = (e: Error | null) => (e ? reject(e) : resolve());
    if (i % 2 === 0) bare.setData('/bench-throughput', data, -1, done);
    else bare.getData('/bench-throughput', done);
  });
  const wrapperOp = (i: number) => (i % 2 === 0 ? wrapper.setData('/bench-throughput', data) : wrapper.getData('/bench-throughput'));
  try {
    // Short runs, alternating which client goes first, compared by their medians: the machine
    // is shared and the server fsyncs every write, so single long runs drift.
    const runs = { wrapper: [] as number[], bare: [] as number[] };
    await throughput(wrapperOp); // warm-up
    await throughput(bareOp);
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      const order = round % 2 === 0 ? (['bare', 'wrapper'] as const) : (['wrapper', 'bare'] as const);
      for (const which of order) runs[which].push(await throughput(which === 'bare' ? bareOp : wrapperOp));
    }
    return { wrapper: quantile(runs.wrapper, 0.5), bare: quantile(runs.bare, 0.5) };
  } finally {
    bare.close();
    await wrapper.close();
  }
}

/** Runs the whole benchmark and returns its markdown section. */
export async function zookeeperElectionSection(): Promise<string> {
  const zk = await startStandalone();
  try {
    const { handoff, crash } = await electionTrials(zk.connectString);
    const { wrapper, bare } = await throughputRatio(zk.connectString);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    return [
      '### ZooKeeper (standalone server, 3 contender processes)',
      '',
      `Session timeout ${TIMING.ttlMs} ms, renew deadline ${TIMING.renewDeadlineMs} ms, probe every ${TIMING.retryPeriodMs} ms.`,
      '',
      table(
        ['measure', 'trials', 'p50', 'p99', 'max', 'target'],
        [
          ['graceful handoff (resign -> next leads)', handoff.length, ms(quantile(handoff, 0.5)), ms(quantile(handoff, 0.99)), ms(Math.max(...handoff)), 'p99 < 50 ms'],
          ['crash failover (SIGKILL -> next leads)', crash.length, ms(quantile(crash, 0.5)), ms(quantile(crash, 0.99)), ms(Math.max(...crash)), `<= ${TIMING.ttlMs + 1000} ms (session timeout + 1 s)`],
        ],
      ),
      '',
      table(
        ['client', `ops/s, median of ${THROUGHPUT_ROUNDS} runs (50% setData, 50% getData, ${THROUGHPUT_CONCURRENCY} in flight)`],
        [
          ['bare node-zookeeper-client', bare.toFixed(0)],
          ['baton ZkClient', wrapper.toFixed(0)],
          ['ratio (target >= 0.9)', (wrapper / bare).toFixed(2)],
        ],
      ),
    ].join('\n');
  } finally {
    await zk.close();
  }
}

/** A contender process: campaign, report, resign on request, campaign again. */
async function contender(connect: string, id: string): Promise<void> {
  const backend = await createZookeeperBackend({ connect, cluster: 'bench' });
  const session = await backend.openSession({ nodeId: id, info: { host: id }, timing: TIMING });
  let resign: (() => void) | undefined;
  process.on('message', (m) => {
    if (m === 'resign') resign?.();
  });
  process.send?.({ type: 'ready', id });
  for (;;) {
    const leadership = await session.campaign(ELECTION, { host: id });
    process.send?.({ type: 'leading', id, term: leadership.term });
    await new Promise<void>((resolve) => (resign = resolve));
    await leadership.resign();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'contender') {
    await contender(process.argv[3] as string, process.argv[4] as string);
  } else {
    console.log(await zookeeperElectionSection());
  }
}
