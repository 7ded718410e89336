/**
 * The deadlines of one connection's calls under one timer. A timer per call was the largest
 * cost of a call's own bookkeeping: placing 10,000 buckets on ZooKeeper makes tens of
 * thousands of calls, each with its Timeout object armed and cleared (issue 12).
 *
 * Calls are queued by their timeout: within one queue deadlines only grow (same timeout, later
 * start on a monotonic clock), so the earliest deadline is always a queue's head, and a call
 * leaves its queue in O(1) when it settles (the queues are linked through the calls).
 * The one timer is armed for the earliest head; when it fires it expires every call due and
 * arms again for the next head. A head that settled before its deadline leaves the timer armed
 * for a moment with nothing due: it then fires once, finds nothing, and arms for the new head.
 *
 * Timing: deadlines are on the monotonic `performance.now()` (real time, like the per-call
 * `setTimeout` before). A call expires no earlier than its timeout; it may expire up to one
 * event-loop turn later, as a per-call timer could.
 */

/** A call in a deadline queue; the fields are this module's, the calls only carry them. */
export interface Deadlined {
  /** When the call expires, ms on `performance.now()`. */
  deadline: number;
  /** The queue the call is in, or undefined once it left (settled or expired). */
  dueIn: DueQueue | undefined;
  prevDue: Deadlined | undefined;
  nextDue: Deadlined | undefined;
  /** Called once when the deadline passes while the call is still queued. */
  expire(): void;
}

/** The calls of one timeout, in deadline order. */
export interface DueQueue {
  head: Deadlined | undefined;
  tail: Deadlined | undefined;
}

/** The deadline queues of one connection (see the module comment). */
export class CallDeadlines<T extends Deadlined> {
  /** By timeout, ms: few distinct ones (the call timeout, the probe's read timeout). */
  readonly #queues = new Map<number, DueQueue>();
  #timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for; Infinity when it is not armed. */
  #armedFor = Infinity;
  readonly #onTimer = (): void => this.#fire();

  /** Queues `call` to expire `timeoutMs` from now. */
  add(call: T, timeoutMs: number): void {
    call.deadline = performance.now() + timeoutMs;
    let queue = this.#queues.get(timeoutMs);
    if (queue === undefined) {
      queue = { head: undefined, tail: undefined };
      this.#queues.set(timeoutMs, queue);
    }
    call.dueIn = queue;
    call.prevDue = queue.tail;
    call.nextDue = undefined;
    if (queue.tail === undefined) queue.head = call;
    else queue.tail.nextDue = call;
    queue.tail = call;
    if (call.deadline < this.#armedFor) this.#arm(call.deadline);
  }

  /** Takes `call` out of its queue (it settled); does nothing when it is in none. */
  remove(call: T): void {
    const queue = call.dueIn;
    if (queue === undefined) return;
    if (call.prevDue === undefined) queue.head = call.nextDue;
    else call.prevDue.nextDue = call.nextDue;
    if (call.nextDue === undefined) queue.tail = call.prevDue;
    else call.nextDue.prevDue = call.prevDue;
    call.dueIn = undefined;
    call.prevDue = undefined;
    call.nextDue = undefined;
  }

  /** Takes every queued call out, stops the timer, and returns the calls (the connection ended). */
  takeAll(): T[] {
    const calls: T[] = [];
    for (const queue of this.#queues.values()) {
      while (queue.head !== undefined) {
        const call = queue.head as T;
        this.remove(call);
        calls.push(call);
      }
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    return calls;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = at;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, Math.ceil(at - performance.now())));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = performance.now();
    // Earliest first across queues too (a late timer may find several queues due); re-read the
    // heads each turn: an expiry may settle (and unlink) other calls.
    for (let due = this.#earliestHead(); due !== undefined && due.deadline <= now; due = this.#earliestHead()) {
      this.remove(due as T);
      due.expire();
    }
    const next = this.#earliestHead();
    // An expiry may have armed the timer for a new call already; arm only for an earlier head.
    if (next !== undefined && next.deadline < this.#armedFor) this.#arm(next.deadline);
  }

  #earliestHead(): Deadlined | undefined {
    let earliest: Deadlined | undefined;
    for (const queue of this.#queues.values()) if (queue.head !== undefined && (earliest === undefined || queue.head.deadline < earliest.deadline)) earliest = queue.head;
    return earliest;
  }
}
