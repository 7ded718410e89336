/**
 * The protected register, a process of its own outside baton: nodes send it their fenced
 * writes; it keeps the highest token per key (register-state.ts) and appends every request with
 * its answer to `register.jsonl`, stamped with its own CLOCK_MONOTONIC at receipt. A node acts
 * only between an accepted `begin` and its `end`, so the recorded interval always contains the
 * real one.
 *
 * Usage: node register-server.js <socket path> <run directory>
 * Prints `ready` on stdout once it listens; exits on SIGTERM.
 */
import { appendFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REGISTER_FILE, now } from '../history.js';
import type { Reply, Request } from './protocol.js';
import { RegisterState } from './register-state.js';

const [socketPath, dir] = process.argv.slice(2) as [string, string];
const logFile = path.join(dir, REGISTER_FILE);
const state = new RegisterState();

function handle(request: Request): Reply {
  if (request.op === 'status') return { id: request.id, holders: state.holders() };
  if (request.op === 'gone') {
    state.gone(request.pid);
    return { id: request.id };
  }
  const t = now();
  const result = state.apply(request);
  const { id: _id, ...event } = request;
  appendFileSync(logFile, `${JSON.stringify({ t, ...event, result })}\n`);
  return { id: request.id, result };
}

rmSync(socketPath, { force: true });
const server = net.createServer((socket) => {
  socket.on('error', () => undefined); // a killed node resets its connection
  const lines = createInterface({ input: socket });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const reply = handle(JSON.parse(line) as Request);
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  });
});
server.listen(socketPath, () => process.stdout.write('ready\n'));
// The controller holds our stdin: when it is gone, so is this run.
process.stdin.on('end', () => process.exit(1)).resume();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
