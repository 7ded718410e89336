import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend, type Session } from '../../../src/contract/index.js';
import { CLUSTER_LEADER_ELECTION, LeaderElector } from '../../../src/election/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { oneSession } from '../../support/one-session.js';

type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'isolate'; node: number; leasesOnly: boolean }
  | { kind: 'heal' | 'expire' | 'resign' | 'restart'; node: number };

const NODES = 3;
const node = fc.integer({ min: 0, max: NODES - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6_000 }) }), weight: 4 },
  fc.record({ kind: fc.constant('isolate' as const), node, leasesOnly: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('heal' as const, 'expire' as const, 'resign' as const, 'restart' as const), node }),
);

interface Member {
  backend: Backend;
  session: Session;
  elector: LeaderElector;
}

/**
 * Random faults against three electors on one memory store (the runtime's pattern: a lost
 * session is replaced by a new session and elector). After every step: whoever believes it
 * leads holds exactly that term in the store (so at most one believer), and every term
 * announced by `acquired` is higher than all earlier ones. (Tampering with the store
 * behind a holder's back, disturbLeader, is left out: until its next renewal the holder cannot
 * know, which is exactly what fenced writes are for; the contract suite covers that.)
 */
describe('LeaderElector: safety under random faults', () => {
  it('a node that believes it leads always holds that term in the store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 40 }), async (actions) => {
        const clock = new FakeClock();
        const store = new MemoryStore({ clock });
        const observer = store.backend('sim');
        const terms: number[] = [];
        let generation = 0;
        const start = async (): Promise<Member> => {
          const backend = store.backend('sim');
          const session = await backend.openSession({ nodeId: `n${generation++}`, info: {}, timing: DEFAULT_TIMING });
          const elector = new LeaderElector({ backend, sessions: oneSession(session), clock });
          elector.on('acquired', (held) => void terms.push(held.token));
          elector.start();
          return { backend, session, elector };
        };
        const members: Member[] = [];
        for (let i = 0; i < NODES; i++) members.push(await start());
        try {
          for (const step of actions) {
            const target = 'node' in step ? members[step.node] : undefined;
            if (step.kind === 'advance') await clock.advance(step.ms);
            else if (step.kind === 'isolate' && target) store.isolate(target.session.id, { leasesOnly: step.leasesOnly });
            else if (step.kind === 'heal' && target) store.heal(target.session.id);
            else if (step.kind === 'expire' && target) store.expire(target.session.id);
            else if (step.kind === 'resign' && target) await target.elector.resign();
            else if (step.kind === 'restart' && target && 'node' in step) {
              await target.elector.close();
              await target.backend.close();
              members[step.node] = await start();
            }
            await clock.advance(0);
            const stored = await observer.leader(CLUSTER_LEADER_ELECTION);
            const believers = members.filter((m) => m.elector.isLeader());
            assert.ok(believers.length <= 1, `${believers.length} nodes believe they lead at t=${clock.now()}`);
            for (const m of believers) {
              assert.equal(stored?.sessionId, m.session.id, `a believer does not hold the lease at t=${clock.now()}`);
              assert.equal(stored?.term, m.elector.leadership()?.term);
            }
            assert.ok(terms.every((t, i) => i === 0 || t > (terms[i - 1] ?? 0)), `terms ${terms.join(',')}`);
          }
        } finally {
          for (const m of members) {
            await m.elector.close();
            await m.backend.close();
          }
          await observer.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
