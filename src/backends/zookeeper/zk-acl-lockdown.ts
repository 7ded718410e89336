/**
 * Puts a cluster's existing znodes under the configured ACL when a backend opens. Without it,
 * turning ACLs on for a cluster that ran without them would protect only znodes created from
 * then on: the containers made earlier (`elections/{name}`, `members`, `kv`) would stay open,
 * and anyone could still create a lower candidate (and lead) or rewrite a KV document.
 */
import type { ZkCallOptions } from '../../zk-client/zk-connection.js';
import { ConfigError } from '../../errors.js';
import type { ZkClient } from '../../zk-client/zk-client.js';
import { aclEntries, sameAcl, type ZkAcl } from '../../zk-client/zk-acl.js';
import { isZkError } from '../../zk-client/zookeeper-error.js';

/**
 * Steps: 1. walk the subtree under `root` breadth-first (one level's reads at once); 2. read each
 * znode's ACL; 3. where it differs from `acl`, set it (open znodes grant the ADMIN this needs).
 * A znode that vanishes meanwhile is skipped. NO_AUTH means the znodes are locked with other
 * credentials: ConfigError('store') saying so. Resolves with the number of znodes changed.
 *
 * Nodes still running without the credentials keep creating open znodes until they restart
 * with them; the next open of any node locks those down too.
 */
export async function lockDownSubtree(client: ZkClient, root: string, acl: ZkAcl, options: ZkCallOptions = {}): Promise<number> {
  const wanted = aclEntries(acl);
  let changed = 0;
  let level = [root];
  try {
    while (level.length > 0) {
      const next = await Promise.all(level.map(async (path) => {
        if (await lockDown(client, path, wanted, options)) changed++;
        return childrenOf(client, path, options);
      }));
      level = next.flat();
    }
  } catch (error) {
    throw explainNoAuth(error, root, acl);
  }
  return changed;
}

/**
 * NO_AUTH while opening a cluster under `root` as a ConfigError('store') that says which
 * credentials to give; any other error unchanged. The message never holds a secret.
 */
export function explainNoAuth(error: unknown, root: string, acl: ZkAcl | undefined): unknown {
  if (!isZkError(error, 'NO_AUTH')) return error;
  const fix = acl === undefined
    ? 'they are protected by a ZooKeeper ACL: add the credentials they were created with to the store URL (?digest-file=PATH or ?digest-env=NAME)'
    : `they are locked with other ZooKeeper credentials than ${acl.digest.user}'s: use the credentials they were created with`;
  return new ConfigError('store', `cannot open the znodes under ${root} (${error.message}); ${fix}`, { cause: error });
}

async function lockDown(client: ZkClient, path: string, wanted: ReturnType<typeof aclEntries>, options: ZkCallOptions): Promise<boolean> {
  try {
    const { acl } = await client.getAcl(path, options);
    if (sameAcl(acl, wanted)) return false;
    await client.setAcl(path, wanted, options);
    return true;
  } catch (error) {
    if (isZkError(error, 'NO_NODE')) return false;
    throw error;
  }
}

async function childrenOf(client: ZkClient, path: string, options: ZkCallOptions): Promise<string[]> {
  try {
    return (await client.getChildren(path, options)).map((child) => `${path}/${child}`);
  } catch (error) {
    if (isZkError(error, 'NO_NODE')) return [];
    throw error;
  }
}
