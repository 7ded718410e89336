import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { CallOptions, Leadership, Session, SessionOptions, SessionState, WatchOptions } from '../../contract/contract.js';
import type { JsonObject } from '../../contract/json.js';
import { isJsonObject } from '../../contract/json.js';
import { validateElectionName, validateSegment } from '../../contract/names.js';
import type { SessionTiming } from '../../contract/timing.js';
import { validateTiming } from '../../contract/timing.js';
import type { BatonError } from '../../errors.js';
import { ClosedError, InvalidArgumentError, NodeIdInUseError, SessionLostError, StateError, type NodeIdHolder } from '../../errors.js';
import { RenewalLoop } from './renewal-loop.js';
import type { DbClockReading } from './db-clock-check.js';
import { DB_CLOCK_WARNING, DbClockCheck } from './db-clock-check.js';
import { campaignLoop } from './sql-campaign.js';
import type { SqlContext } from './sql-context.js';
import { SqlLeadership } from './sql-leadership.js';
import { SessionLeases } from './session-leases.js';
import { nextBatchWaitMs } from './next-batch.js';
import { raceSignal } from '../../async.js';
import { judgedController } from '../../judged-signal.js';

function infoText(what: string, info: JsonObject): string {
  if (!isJsonObject(info)) throw new InvalidArgumentError(`${what} must be a JSON object`);
  return JSON.stringify(info);
}

/**
 * A session is one row of `{prefix}member`: created at open (a live row of the same node id
 * means NodeIdInUseError), renewed every retryPeriodMs, expiring ttlMs after its last renewal
 * on the DB clock, deleted at close. Lost on the local monotonic clock at (start of the last
 * successful renewal + renewDeadlineMs), or at once when the store says it expired.
 *
 * Every lease the session takes lives as long as that row (statements.ts leaseHeld), as a
 * ZooKeeper ephemeral lives with its session: the one renewal per retry period keeps all of
 * them, and one read per retry period (session-leases.ts) tells the terms whether the store
 * still names them. Store writes at rest are one per session per retry period, whatever the
 * number of leases held.
 */
export class SqlSession implements Session {
  readonly id: string;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  readonly onRenewal: ((latencyMs: number, ok: boolean) => void) | undefined;
  readonly #ctx: SqlContext;
  /** Judges the deadline whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #lost = judgedController(() => this.#loop.check());
  readonly #loop: RenewalLoop;
  readonly #stateListeners = new Set<(state: SessionState) => void>();
  readonly #leases: SessionLeases;
  readonly #onClosed: () => void;
  readonly #dbClock: DbClockCheck;
  /** How long the renewal may wait for the polls' next round trip (next-batch.ts). */
  readonly #batchWaitMs: number;
  #state: SessionState = 'live';
  #closing: Promise<void> | undefined;

  private constructor(ctx: SqlContext, id: string, options: SessionOptions, timing: SessionTiming, onClosed: () => void) {
    this.#ctx = ctx;
    this.id = id;
    this.nodeId = options.nodeId;
    this.timing = timing;
    this.onRenewal = options.onRenewal;
    this.#onClosed = onClosed;
    this.#dbClock = new DbClockCheck(timing);
    this.#leases = new SessionLeases(ctx, id);
    this.#batchWaitMs = nextBatchWaitMs(ctx, timing.retryPeriodMs);
    // Every campaign, wait and leadership of the session listens to `lost`: no listener limit
    // (Infinity, not 0: on Node 20 `getMaxListeners` throws for an AbortSignal set to 0).
    setMaxListeners(Infinity, this.#lost.signal);
    // Its terms end first, each one's signal aborting before any other listener of `lost` runs.
    this.#lost.signal.addEventListener('abort', () => this.#leases.all().forEach((l) => l.endWithSession()), { once: true });
    this.#loop = new RenewalLoop({
      clock: ctx.clock,
      timing,
      what: `session of node "${this.nodeId}"`,
      renew: (sent) => this.#renew(sent),
      sendWaitMs: this.#batchWaitMs,
      gone: () => new SessionLostError(`session of node "${this.nodeId}" expired in the store; open a new session`),
      onLost: (reason) => this.#lose(reason),
      onAttempt: (latencyMs, ok) => {
        this.onRenewal?.(latencyMs, ok);
        if (this.#state === 'live' || this.#state === 'suspended') this.#setState(ok ? 'live' : 'suspended');
      },
    });
  }

  /**
   * Opens a session:
   *  1. validate node id, info and timing (ConfigError names the bad timing field);
   *  2. in one transaction, drop an expired row of this node id and insert mine (a live row of
   *     another session makes the insert fail on the primary key: NodeIdInUseError);
   *  3. start renewing, counting the deadline from when step 2 began; step 2's reading of the
   *     database clock is the first one the clock check compares with.
   */
  static async open(ctx: SqlContext, options: SessionOptions, onClosed: () => void): Promise<SqlSession> {
    validateSegment('node id', options.nodeId);
    const info = infoText('member info', options.info);
    const timing = validateTiming(options.timing);
    const id = randomUUID();
    const { connection, sql, cluster, clock } = ctx;
    const startedAt = clock.now();
    const insert = connection.transaction(async (tx) => {
      await tx.run(sql.memberPurge, [cluster, options.nodeId]);
      await tx.run(sql.memberInsert, [cluster, options.nodeId, id, info, timing.ttlMs]);
      // Waiter rows of this node id's earlier (dead) sessions: none is handed a lease, but they would pile up.
      if (connection.dialect.handsOver) await tx.run(sql.waiterPurgeNode, [cluster, options.nodeId, id]);
      await connection.announce(tx, cluster);
      // The first reading of the database clock: a step before the first renewal shows too.
      return Number((await tx.run(sql.dbNow)).rows[0]?.['now_ms']);
    });
    let dbMs: number;
    try {
      dbMs = await raceSignal(insert, options.signal, 'open session');
    } catch (error) {
      if (connection.dialect.isUniqueViolation(error)) throw new NodeIdInUseError(options.nodeId, await readHolder(ctx, options.nodeId));
      // Aborted: a row inserted after all is deleted again (else it expires on its own).
      insert.then(() => connection.run(sql.memberDelete, [cluster, options.nodeId, id])).catch(() => undefined);
      throw error;
    }
    const session = new SqlSession(ctx, id, options, timing, onClosed);
    session.#dbClock.observe({ dbMs, sentAt: startedAt, answeredAt: clock.now() });
    session.#loop.start(startedAt);
    return session;
  }

  /**
   * Checks the local deadline on the monotonic clock first: past it, the session is lost right
   * here, synchronously, even if the deadline's timer has not run yet (a process resumed after
   * a pause runs synchronous code before any timer).
   */
  get lost(): AbortSignal {
    this.#loop.check();
    return this.#lost.signal;
  }

  /** The session's local deadline on the monotonic clock; only ever moves later. */
  get deadlineAt(): number {
    return this.#loop.deadlineAt;
  }

  /** Checked against the local deadline when read, like `lost`. */
  get state(): SessionState {
    this.#loop.check();
    return this.#state;
  }

  onStateChange(listener: (state: SessionState) => void, options: WatchOptions): void {
    if (options.signal.aborted) return;
    this.#stateListeners.add(listener);
    options.signal.addEventListener('abort', () => this.#stateListeners.delete(listener), { once: true });
  }

  async updateInfo(info: JsonObject, options?: CallOptions): Promise<void> {
    const text = infoText('member info', info);
    this.#checkUsable();
    const { connection, sql, cluster } = this.#ctx;
    const work = connection.transaction(async (tx) => {
      const { changes } = await tx.run(sql.memberInfo, [text, cluster, this.nodeId, this.id]);
      if (changes === 0) throw new SessionLostError(`session of node "${this.nodeId}" is gone from the store`);
      await connection.announce(tx, cluster);
    });
    await raceSignal(work, options?.signal, 'update member info');
  }

  /** Whether this session campaigns for or holds `election` now. */
  busy(election: string): boolean {
    return this.#leases.busy(election);
  }

  async campaign(election: string, info: JsonObject, options?: CallOptions): Promise<Leadership> {
    validateElectionName(election);
    const text = infoText('leader info', info);
    this.#checkUsable();
    if (this.busy(election)) {
      throw new StateError(`this session already campaigns for or holds election "${election}"`);
    }
    this.#leases.campaigning(election, true);
    try {
      const lease = await campaignLoop(this.#ctx, this, election, text, options);
      const leadership: SqlLeadership = new SqlLeadership(this.#ctx, this, election, lease, () => this.#leases.remove(leadership));
      this.#leases.add(leadership);
      leadership.start();
      return leadership;
    } finally {
      this.#leases.campaigning(election, false);
    }
  }

  /**
   * Graceful close (idempotent):
   *  1. stop renewing, mark closed and fire `lost` (waits end, every leadership's signal aborts
   *     and its listeners run);
   *  2. release every held lease at once (handing it to a waiter where the engine does);
   *  3. delete the member row, announcing it, and the session's waiter rows.
   * A session already lost releases nothing (steps 2-3 are skipped): its rows expire on the
   * database clock, the margin its holders' stop callbacks were promised (docs/safety.md rule 5).
   * Rejects with the first store error after doing all it could (the rows then expire).
   */
  close(options?: CallOptions): Promise<void> {
    if (this.#closing === undefined) this.#closing = this.#close();
    return raceSignal(this.#closing, options?.signal, 'close session');
  }

  async #close(): Promise<void> {
    this.#loop.check(); // a deadline already passed makes this the close of a lost session
    this.#loop.stop();
    const wasLost = this.#state === 'lost';
    this.#setState('closed');
    // Taken before `lost` fires: its listener ends each term (and drops it from #leases).
    // held() first ends, unreleased, any term whose own deadline has passed.
    const leases = this.#leases.all().filter((l) => l.held());
    if (!this.#lost.signal.aborted) this.#lost.abort(new ClosedError('session'));
    if (wasLost) {
      this.#onClosed();
      return;
    }
    const { connection, sql, cluster } = this.#ctx;
    const results = await Promise.allSettled([
      ...leases.map((l) => l.end('closed', this.#lost.signal.reason)),
      connection.runAndAnnounce(sql.memberDelete, [cluster, this.nodeId, this.id], cluster),
      // Its waiting campaigns ended with `lost`; their rows would only be skipped from now on.
      ...(connection.dialect.handsOver ? [connection.run(sql.waiterLeaveSession, [cluster, this.id])] : []),
    ]);
    this.#onClosed();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * One renewal of the member row, which keeps every lease of the session alive; one that got
   * through also checks the database clock, then starts the reconciliation of the session's
   * leases with the store (a read; its failure only waits for the next renewal). Where reads
   * are batched (MySQL) the renewal and the leases' digest wait for the polls' next round trip
   * and go in it (next-batch.ts; the loop pauses that much less).
   */
  async #renew(sent: () => void): Promise<boolean> {
    const { connection, sql, cluster, clock } = this.#ctx;
    let sentAt = clock.now();
    const onSent = () => {
      sentAt = clock.now();
      sent();
    };
    const renewal = connection.runWithNextBatch(sql.memberRenew, [this.timing.ttlMs, cluster, this.nodeId, this.id], this.#batchWaitMs, onSent);
    // Without RETURNING (MySQL), the clock comes with the read of the leases' digest that the
    // reconciliation starts with, sent right behind the renewal. Both lie between sentAt and now.
    const digestRead = connection.dialect.returning ? undefined : this.#leases.readDigest(this.#batchWaitMs);
    const [{ rows, changes }, digest] = await Promise.all([renewal, digestRead]);
    if (changes !== 1) return false;
    this.#checkDbClock({ dbMs: Number(rows[0]?.['now_ms'] ?? digest?.dbNowMs), sentAt, answeredAt: clock.now() });
    if (this.#state === 'live' || this.#state === 'suspended') void this.#leases.reconcile(digest).catch(() => undefined);
    return true;
  }

  /**
   * A database clock that gained more than the tolerance stops the session at once (its leases
   * may expire early for others: db-clock-check.ts); one that went back is reported only (its
   * leases last longer: takeovers wait longer, nobody acts twice).
   */
  #checkDbClock(reading: DbClockReading): void {
    const verdict = this.#dbClock.observe(reading);
    const who = `session of node "${this.nodeId}"`;
    if (verdict.kind === 'forward') {
      const reason = new SessionLostError(
        `${who}: the database clock gained ${Math.round(verdict.gainedMs)} ms on this process's monotonic clock within ttlMs (${this.timing.ttlMs} ms), ` +
          `more than ${this.#dbClock.toleranceMs} ms (half of ttlMs - renewDeadlineMs): its leases may expire early for others, so it stops acting now. ` +
          'Check the database server\'s clock (NTP steps, VM resume, failover to a server with another clock).',
      );
      process.emitWarning(reason.message, DB_CLOCK_WARNING);
      this.#lose(reason);
    } else if (verdict.kind === 'backward') {
      process.emitWarning(
        `${who}: the database clock went back by ${Math.round(verdict.lostMs)} ms against this process's monotonic clock; ` +
          'leases last that much longer (takeovers wait longer); carrying on. Check the database server\'s clock.',
        DB_CLOCK_WARNING,
      );
    }
  }

  #checkUsable(): void {
    if (this.#state === 'closed') throw new ClosedError('session');
    if (this.#state === 'lost') throw new SessionLostError(`session of node "${this.nodeId}" is lost; open a new session`, { cause: this.#lost.signal.reason });
  }

  /**
   * Lost (deadline passed, the store says the row is gone, or the database clock jumped
   * forward): stop, and fire `lost` so every
   * term of the session ends now. The member row is NOT deleted: it expires on the database
   * clock. Membership is what items are placed by, so deleting it early would let the leader
   * hand this node's buckets and partitions to others while their stop callbacks still run
   * (docs/safety.md rule 5); the node id is free again once the row expired.
   */
  #lose(reason: BatonError): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    this.#loop.stop();
    this.#setState('lost');
    this.#lost.abort(reason);
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener(state);
  }
}

/** What the member row holding `nodeId` says about its session (empty when it is gone meanwhile). */
async function readHolder(ctx: SqlContext, nodeId: string): Promise<NodeIdHolder> {
  try {
    const { rows } = await ctx.connection.run(ctx.sql.memberHolder, [ctx.cluster, nodeId]);
    const row = rows[0];
    if (row === undefined) return {};
    const info: unknown = JSON.parse(String(row['info']));
    return {
      ...(typeof info === 'object' && info !== null && !Array.isArray(info) ? { info: info as Record<string, unknown> } : {}),
      renewedMsAgo: Number(row['renewed_ms_ago']),
      expiresInMs: Number(row['expires_in_ms']),
    };
  } catch {
    return {}; // only a better message was at stake
  }
}
