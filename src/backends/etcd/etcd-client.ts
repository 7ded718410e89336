/**
 * A thin etcd v3 client over @grpc/grpc-js: unary calls and bidirectional streams on one member
 * at a time, moving to the next member when the current one fails. It decides nothing about
 * leases or elections (etcd-session.ts, etcd-campaign.ts do); it only makes calls that always
 * settle: each has a deadline, races the caller's signal, and rejects with an EtcdCallError
 * naming the member and the gRPC status.
 *
 * Why not the `etcd3` package: see index.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { AbortedError, ClosedError } from '../../errors.js';
import { METHODS, type Method } from './etcd-proto.js';

export interface EtcdTls {
  /** PEM of the CA that signed the members' certificates; default the system's roots. */
  readonly ca?: Buffer | undefined;
  /** PEM client certificate and key, for members that require client certificates. */
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

export interface EtcdClientOptions {
  /** Members to reach, `host:port`, tried in this order. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls | undefined;
  /** etcd user and password (etcd's auth): a token is fetched and sent with every call. */
  readonly auth?: { readonly user: string; readonly password: string } | undefined;
  /** Deadline of a call that does not name its own, ms. Default 5000. */
  readonly callTimeoutMs?: number | undefined;
}

/**
 * Default call deadline, ms: etcd's own request timeout is 5 s plus 2 election timeouts; a call
 * still unanswered after 5 s is better retried on another member.
 */
const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/**
 * Channel settings. A local subchannel pool gives every client its own TCP connection (grpc-js
 * shares one per address by default, so two backends in one process would fail together).
 * Reconnect backoff from 100 ms up to 1 s: a member that restarts is used again within a second
 * (grpc-js defaults to 1 s growing to 120 s). Answers of any size are taken, as etcd's own
 * client does: grpc-js refuses more than 4 MiB by default, and a read of many keys, or a lease
 * taking thousands of keys with it, would break the call or the watch stream over and over.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.use_local_subchannel_pool': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.max_receive_message_length': -1,
});

/** A failed call: the gRPC status code and details, and which member answered (or did not). */
export class EtcdCallError extends Error {
  readonly grpcCode: grpc.status;
  readonly details: string;
  readonly endpoint: string;
  constructor(endpoint: string, method: string, error: { code?: number; details?: string; message?: string }) {
    const code = (error.code ?? grpc.status.UNKNOWN) as grpc.status;
    const details = error.details ?? error.message ?? 'no details';
    super(`etcd ${method} at ${endpoint} failed: ${grpc.status[code] ?? code} (${details})`);
    this.name = 'EtcdCallError';
    this.grpcCode = code;
    this.details = details;
    this.endpoint = endpoint;
  }

  /** The member could not be reached or did not answer in time: another member may. */
  get unreachable(): boolean {
    return this.grpcCode === grpc.status.UNAVAILABLE || this.grpcCode === grpc.status.DEADLINE_EXCEEDED || this.grpcCode === grpc.status.CANCELLED;
  }
}

export type Message = Record<string, unknown>;

export interface UnaryOptions {
  readonly signal?: AbortSignal | undefined;
  /** This call's deadline, ms; default the client's callTimeoutMs. */
  readonly timeoutMs?: number | undefined;
  /**
   * Tried on every member in turn while they are unreachable. Only for calls that may safely
   * run twice (reads, keep-alives, revokes): a write whose answer was lost may have landed.
   */
  readonly idempotent?: boolean | undefined;
}

export class EtcdClient {
  readonly endpoints: readonly string[];
  readonly #options: EtcdClientOptions;
  readonly #credentials: grpc.ChannelCredentials;
  readonly #channels = new Map<string, grpc.Client>();
  readonly #closed = new AbortController();
  #current = 0;
  #token: string | undefined;

  constructor(options: EtcdClientOptions) {
    this.endpoints = Object.freeze([...options.endpoints]);
    this.#options = options;
    const tls = options.tls;
    this.#credentials = tls ? grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
  }

  /** The member calls go to now. */
  get endpoint(): string {
    return this.endpoints[this.#current % this.endpoints.length] as string;
  }

  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** Fetches an auth token when a user is configured (before the first call). */
  async authenticate(options: UnaryOptions = {}): Promise<void> {
    const auth = this.#options.auth;
    if (!auth) return;
    const response = await this.#call(METHODS.authenticate, { name: auth.user, password: auth.password }, { ...options, idempotent: true }, false);
    this.#token = String(response['token']);
  }

  /**
   * Fetches a fresh token when a user is configured, for a stream about to be opened again (a
   * stream's token is checked when it opens, and etcd expires idle tokens). Never rejects: a
   * failure shows in the stream's own error.
   */
  async reauthenticate(): Promise<void> {
    if (this.#options.auth) await this.authenticate({ signal: this.#closed.signal }).catch(() => undefined);
  }

  /**
   * One call. An expired auth token is renewed and the call sent once more (it was refused, so
   * it did not run). An unreachable member moves later calls to the next one.
   */
  async unary(method: Method, request: object, options: UnaryOptions = {}): Promise<Message> {
    try {
      return await this.#call(method, request, options, true);
    } catch (error) {
      if (!(error instanceof EtcdCallError) || error.grpcCode !== grpc.status.UNAUTHENTICATED || !this.#options.auth) throw error;
      await this.authenticate(options);
      return await this.#call(method, request, options, true);
    }
  }

  /**
   * Opens a bidirectional stream on the current member. `requireLeader` asks the member to end
   * the stream when it loses its raft leader (etcd's `hasleader` metadata), so a watch or a
   * keep-alive stream on a member cut off from the quorum ends instead of going silent.
   */
  stream(method: Method, options: { requireLeader: boolean }): { call: grpc.ClientDuplexStream<object, Message>; endpoint: string } {
    this.#checkOpen();
    const endpoint = this.endpoint;
    const metadata = this.#metadata();
    if (options.requireLeader) metadata.set('hasleader', 'true');
    const call = this.#channel(endpoint).makeBidiStreamRequest<object, Message>(method.path, method.request.encode, method.response.decode, metadata);
    return { call, endpoint };
  }

  /** Moves later calls and streams to the next member if `endpoint` is still the current one. */
  failover(endpoint: string): void {
    if (this.endpoint === endpoint && this.endpoints.length > 1) this.#current = (this.#current + 1) % this.endpoints.length;
  }

  close(): void {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort(new ClosedError('etcd client'));
    for (const channel of this.#channels.values()) channel.close();
    this.#channels.clear();
  }

  async #call(method: Method, request: object, options: UnaryOptions, withToken: boolean): Promise<Message> {
    const attempts = options.idempotent ? this.endpoints.length : 1;
    for (let attempt = 1; ; attempt++) {
      const endpoint = this.endpoint;
      try {
        return await this.#callOnce(endpoint, method, request, options, withToken);
      } catch (error) {
        if (!(error instanceof EtcdCallError) || !error.unreachable) throw error;
        this.failover(endpoint);
        if (attempt >= attempts || options.signal?.aborted) throw error;
      }
    }
  }

  #callOnce(endpoint: string, method: Method, request: object, options: UnaryOptions, withToken: boolean): Promise<Message> {
    this.#checkOpen();
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(`etcd ${method.path}`, signal.reason));
    const deadline = Date.now() + (options.timeoutMs ?? this.#options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    const metadata = withToken ? this.#metadata() : new grpc.Metadata();
    return new Promise<Message>((resolve, reject) => {
      const onAbort = () => {
        call.cancel();
        reject(new AbortedError(`etcd ${method.path}`, signal?.reason));
      };
      const call = this.#channel(endpoint).makeUnaryRequest<object, Message>(
        method.path,
        method.request.encode,
        method.response.decode,
        request,
        metadata,
        { deadline },
        (error, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return; // rejected by onAbort already
          if (error || response === undefined) reject(new EtcdCallError(endpoint, method.path, error ?? {}));
          else resolve(response);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.#token !== undefined) metadata.set('token', this.#token);
    return metadata;
  }

  #channel(endpoint: string): grpc.Client {
    let channel = this.#channels.get(endpoint);
    if (!channel) {
      channel = new grpc.Client(endpoint, this.#credentials, CHANNEL_OPTIONS);
      this.#channels.set(endpoint, channel);
    }
    return channel;
  }

  #checkOpen(): void {
    if (this.#closed.signal.aborted) throw new ClosedError('etcd client');
  }
}
