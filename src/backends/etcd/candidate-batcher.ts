import type { EtcdClient, Message } from './etcd-client.js';
import { EtcdCallError } from './etcd-client.js';
import { bytes, toNumber } from './etcd-layout.js';
import { METHODS } from './etcd-proto.js';

/**
 * Candidates one transaction creates at most. Each puts two compares and two operations in the
 * transaction, and etcd refuses a transaction with more than `--max-txn-ops` of either (128 by
 * default), so 64 fill the default. A server set lower refuses the batch (it never runs): the
 * batcher then creates those candidates one by one and halves its batches.
 */
const CANDIDATES_PER_TXN = 64;

/** One candidate to create: its key, value and the read of its election's line (etcd-campaign.ts). */
export interface CandidateRequest {
  readonly key: string;
  readonly withdrawalKey: string;
  readonly value: Buffer;
  /** The election's line, newest first, keys only, at most 2 (ours and the one ahead). */
  readonly lineRange: Message;
}

/** What a batched create gives each candidate: the revision it was created at and its line's keys, newest first. */
export interface CreatedCandidate {
  readonly revision: number;
  readonly line: readonly Message[];
}

interface Queued {
  readonly request: CandidateRequest;
  /** null: not created by the batch (a compare failed, or etcd refused the batch): create it alone. */
  readonly resolve: (created: CreatedCandidate | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The first creates of a session's campaigns that start in the same turn of the event loop (a
 * cold start wants a thousand buckets at once), in one transaction per CANDIDATES_PER_TXN: on
 * etcd each request costs the node more CPU in grpc-js than etcd spends on it, so one request
 * per candidate bounded how fast a node placed its items. The transaction is the single create's,
 * side by side: it creates every candidate only if every one is absent and no withdrawal marker
 * exists, and reads each election's line after its put. All of them are created at one revision;
 * they are in different elections (a session campaigns once at a time per election, and a batch
 * holds one request per key), so each is still the newest of its own line. When any compare
 * fails, nothing is created and each candidate is created alone, the single create's way. An
 * error without an answer rejects every request of the batch: each campaign's clean-up then
 * withdraws its create, and since the batch compares every marker, a late arrival of it creates
 * nothing.
 */
export class CandidateBatcher {
  readonly #client: EtcdClient;
  readonly #leaseId: string;
  readonly #lost: AbortSignal;
  #queue: Queued[] = [];
  #perTxn = CANDIDATES_PER_TXN;

  constructor(client: EtcdClient, leaseId: string, lost: AbortSignal) {
    this.#client = client;
    this.#leaseId = leaseId;
    this.#lost = lost;
  }

  /** Creates the candidate with others of this turn; null when it must be created alone. */
  create(request: CandidateRequest): Promise<CreatedCandidate | null> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#flush());
      this.#queue.push({ request, resolve, reject });
    });
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    const keys = new Set<string>();
    let batch: Queued[] = [];
    for (const queued of queue) {
      if (keys.has(queued.request.key)) {
        queued.resolve(null); // one create per key in a transaction: etcd refuses a key put twice
        continue;
      }
      keys.add(queued.request.key);
      batch.push(queued);
      if (batch.length >= this.#perTxn) {
        void this.#send(batch);
        batch = [];
        keys.clear();
      }
    }
    if (batch.length > 0) void this.#send(batch);
  }

  async #send(batch: readonly Queued[]): Promise<void> {
    if (batch.length === 1) {
      batch[0]!.resolve(null); // alone anyway: the single create is the same request
      return;
    }
    let response: Message;
    try {
      response = await this.#client.unary(
        METHODS.txn,
        {
          compare: batch.flatMap(({ request }) => [
            { key: bytes(request.key), target: 'CREATE', result: 'EQUAL', create_revision: 0 },
            { key: bytes(request.withdrawalKey), target: 'MOD', result: 'EQUAL', mod_revision: 0 },
          ]),
          success: batch.flatMap(({ request }) => [
            { request_put: { key: bytes(request.key), value: request.value, lease: this.#leaseId } },
            { request_range: { ...request.lineRange, limit: 2 } },
          ]),
        },
        { signal: this.#lost },
      );
    } catch (error) {
      if (!refusedAsTooLarge(error)) {
        for (const queued of batch) queued.reject(error);
        return;
      }
      this.#perTxn = Math.max(2, Math.floor(batch.length / 2));
      for (const queued of batch) queued.resolve(null);
      return;
    }
    if (response['succeeded'] !== true) {
      for (const queued of batch) queued.resolve(null);
      return;
    }
    const revision = toNumber((response['header'] as Message)['revision']);
    const responses = response['responses'] as Message[];
    batch.forEach((queued, i) => {
      const range = responses[2 * i + 1]?.['response_range'] as Message | undefined;
      queued.resolve({ revision, line: (range?.['kvs'] as Message[] | undefined) ?? [] });
    });
  }
}

/** etcd refused the transaction before running it: more operations than its `--max-txn-ops`, or larger than its request limit. */
function refusedAsTooLarge(error: unknown): boolean {
  return error instanceof EtcdCallError && /too many operations|request is too large/i.test(error.message);
}
