/**
 * Requests started in one tick go out in one socket write. The library writes each request to
 * its socket as soon as it is queued, one system call each: with 10,000 campaigns starting
 * together, those writes were the largest native cost of a node process. A socket corked until
 * the current tick's callbacks and promise jobs have run sends them in one `writev`; the order
 * on the wire (which the server keeps in its answers) is unchanged, and nothing waits for a
 * later tick.
 */
import type { RawConnectionManager } from './zk-library.js';

/** The sockets corked in the current tick. */
const corked = new WeakSet<object>();

/** Corks the connection's socket, if it has one, until the end of this tick. */
export function batchWritesThisTick(manager: RawConnectionManager): void {
  const socket = manager.socket;
  if (socket === undefined || corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
