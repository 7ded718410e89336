/**
 * A connection to the protected register (register-server.ts): every request gets one reply, in
 * order. `flush()` waits for every reply, so a node's last `end` is recorded before it exits.
 */
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { Key, RegisterOp, RegisterResult } from '../history.js';
import type { Reply } from './protocol.js';

type Pending = (reply: Reply) => void;

export class RegisterClient {
  readonly #socket: net.Socket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    createInterface({ input: socket }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.(reply);
    });
  }

  static connect(socketPath: string): Promise<RegisterClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => resolve(new RegisterClient(socket)));
      socket.once('error', reject);
    });
  }

  #send(request: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    // Closed (the run is ending): nothing is recorded any more.
    if (this.#socket.writableEnded || this.#socket.destroyed) return Promise.resolve({ id });
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#socket.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }

  async op(op: RegisterOp, key: Key, node: string, token: number, reason?: string): Promise<RegisterResult> {
    const reply = await this.#send({ op, key, node, pid: process.pid, token, ...(reason === undefined ? {} : { reason }) });
    return reply.result ?? 'noted';
  }

  async holders(): Promise<Record<Key, number[]>> {
    return (await this.#send({ op: 'status' })).holders ?? {};
  }

  async gone(pid: number): Promise<void> {
    await this.#send({ op: 'gone', pid });
  }

  /** Resolves once every request sent so far has its reply. */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending.keys()].map((id) => new Promise<void>((resolve) => {
      const previous = this.#pending.get(id);
      this.#pending.set(id, (reply) => {
        previous?.(reply);
        resolve();
      });
    })));
  }

  close(): void {
    this.#socket.end();
  }
}
