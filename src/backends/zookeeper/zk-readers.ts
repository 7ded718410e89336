import type { CallOptions, LeaderRecord, Member } from '../../contract/contract.js';
import { isJsonObject } from '../../contract/json.js';
import { CorruptDocumentError } from '../../errors.js';
import type { ZkClient } from '../../zk-client/zk-client.js';
import type { ZkLayout } from './zk-layout.js';
import { sortCandidates } from './zk-layout.js';
import { zxidToNumber } from '../../zk-client/zk-stat.js';
import { isZkError } from '../../zk-client/zookeeper-error.js';
import { fanOutSignal } from '../../async.js';

/** How often leader() looks again when the lowest candidate vanished between list and read. */
const MAX_LEADER_READS = 10;

/**
 * The current leader: the lowest candidate znode. Its data is `{"nodeId", "info"}`; anything
 * else is a CorruptDocumentError naming `elections/{name}/{znode}`.
 */
export async function readLeader(zk: ZkClient, layout: ZkLayout, election: string, options: CallOptions = {}): Promise<LeaderRecord | null> {
  const dir = layout.election(election);
  for (let attempt = 0; attempt < MAX_LEADER_READS; attempt++) {
    let candidates: string[];
    try {
      candidates = sortCandidates(await zk.getChildren(dir, options));
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return null;
      throw error;
    }
    const lowest = candidates[0];
    if (lowest === undefined) return null;
    try {
      const { data, stat } = await zk.getData(`${dir}/${lowest}`, options);
      const key = `elections/${election}/${lowest}`;
      const doc = parse(key, data);
      if (typeof doc['nodeId'] !== 'string' || !isJsonObject(doc['info'])) {
        throw new CorruptDocumentError(key, 'expected {"nodeId": string, "info": object}');
      }
      return {
        election,
        nodeId: doc['nodeId'],
        sessionId: stat.ephemeralOwner ?? '',
        term: zxidToNumber(stat.czxid, `${dir}/${lowest}`),
        since: stat.ctime,
        info: doc['info'],
      };
    } catch (error) {
      if (!isZkError(error, 'NO_NODE')) throw error; // gone between list and read: look again
    }
  }
  return null;
}

/**
 * Live members sorted by node id. A member znode whose data is not `{"info": object}` is
 * reported with `onCorrupt` and skipped, so one bad entry cannot hide the others.
 */
export async function readMembers(zk: ZkClient, layout: ZkLayout, onCorrupt: (error: CorruptDocumentError) => void, options: CallOptions = {}): Promise<Member[]> {
  let names: string[];
  try {
    names = await zk.getChildren(layout.members, options);
  } catch (error) {
    if (isZkError(error, 'NO_NODE')) return [];
    throw error;
  }
  const each = { ...options, signal: fanOutSignal(options.signal) }; // one read per member, in parallel
  let members: (Member | null)[];
  try {
    members = await Promise.all(
      names.map(async (nodeId): Promise<Member | null> => {
        try {
          const { data, stat } = await zk.getData(`${layout.members}/${nodeId}`, each);
          const doc = parse(`members/${nodeId}`, data);
          if (!isJsonObject(doc['info'])) throw new CorruptDocumentError(`members/${nodeId}`, 'expected {"info": object}');
          return { nodeId, sessionId: stat.ephemeralOwner ?? '', info: doc['info'] };
        } catch (error) {
          if (isZkError(error, 'NO_NODE')) return null; // left while we read
          if (error instanceof CorruptDocumentError) {
            onCorrupt(error);
            return null;
          }
          throw error;
        }
      }),
    );
  } finally {
    each.signal?.dispose();
  }
  return members.filter((m): m is Member => m !== null).sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

function parse(key: string, data: Buffer): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new CorruptDocumentError(key, `not valid JSON (${data.length} bytes)`, { cause: error });
  }
  if (!isJsonObject(doc)) throw new CorruptDocumentError(key, 'expected a JSON object');
  return doc;
}
