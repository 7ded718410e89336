import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDrainProcesses } from './drain-processes.js';

let dir = '';
describeDrainProcesses({
  name: 'SQLite',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'baton-drain-proc-'));
    return `sqlite:${join(dir, 'baton.db')}`;
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
