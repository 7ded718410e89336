/** SIGKILL a node, then start it again under the same id (its old session must expire first). */
import { TIMING } from '../timing.js';
import { beginFault, endFault, pickNode, sleep, type Fault } from './fault.js';

export const killFault: Fault = {
  name: 'sigkill',
  description: 'SIGKILL a random node, restart it under the same id a retry period later',
  appliesTo: () => true,
  async run(context) {
    const victim = pickNode(context);
    beginFault(context, `SIGKILL ${victim.nodeId}`);
    await victim.kill();
    await sleep(context, TIMING.retryPeriodMs);
    context.cluster.start(victim.nodeId);
    endFault(context, `restarted ${victim.nodeId}`);
  },
};
