import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTransferProcesses } from './leader-transfer-processes.js';

let dir = '';
describeTransferProcesses({
  name: 'SQLite',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'baton-transfer-proc-'));
    return `sqlite:${join(dir, 'baton.db')}`;
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
