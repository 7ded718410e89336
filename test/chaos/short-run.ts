/**
 * The seeded short chaos run of `npm test`, one backend per test file: `npm run chaos` as users
 * run it (a child process: the controller, its nodes, the register and the checker), a few random
 * faults of the backend's kinds (`--fault mix`), judged by the checker. Passes only when the
 * checker found no violation. Interrupted (the test's timeout), the run cleans up on SIGINT.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../../chaos/main.js', import.meta.url));
/** Fault time per backend: two or three episodes of the mix. */
const DURATION = '15s';
/** A fixed seed: the same faults on the same nodes each time. */
const SEED = '20261130';

export function shortChaosRun(backend: string): void {
  describe(`chaos short run (${backend}, seeded mix of faults)`, () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'baton-chaos-'));
    let child: ChildProcess | undefined;
    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(out, { recursive: true, force: true });
    });

    it('finds no overlap, no stale write accepted, no unavailability beyond its bound, no orphan', async () => {
      child = spawn(process.execPath, [MAIN, '--backend', backend, '--fault', 'mix', '--duration', DURATION, '--seed', SEED, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child?.once('exit', (c) => resolve(c)));
      assert.equal(code, 0, output);
      assert.match(output, new RegExp(`^${backend} +mix +1 +[1-9]\\d* +0 +0 `, 'm'), output);
      assert.match(output, /checker: no violation/);
    });
  });
}
