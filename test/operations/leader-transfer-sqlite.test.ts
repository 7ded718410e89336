import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLeaderTransfer } from './leader-transfer-suite.js';

let dir = '';
describeLeaderTransfer({
  name: 'SQLite',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'baton-transfer-'));
    return `sqlite:${join(dir, 'baton.db')}`;
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
