import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeThreeNodes } from './three-nodes.js';

let dir = '';
describeThreeNodes({
  name: 'SQLite',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
    return `sqlite:${join(dir, 'baton.db')}`;
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
