import type { CallOptions, LeaderRecord, Member } from '../../contract/contract.js';
import { isJsonObject, type JsonObject } from '../../contract/json.js';
import { CorruptDocumentError } from '../../errors.js';
import type { EtcdClient, Message } from './etcd-client.js';
import { bytes, prefixEnd, toNumber, type EtcdLayout } from './etcd-layout.js';
import { METHODS } from './etcd-proto.js';

/** The session id of a key's lease: the lease id in hex (as etcdctl prints it). */
export function leaseHex(lease: unknown): string {
  return BigInt(String(lease ?? 0)).toString(16);
}

/**
 * The current leader: the candidate with the lowest create revision. Its value is
 * `{"nodeId", "info", "since"}`; anything else is a CorruptDocumentError naming the key.
 */
export async function readLeader(client: EtcdClient, layout: EtcdLayout, election: string, sawRevision: (header: unknown) => void, options: CallOptions = {}): Promise<LeaderRecord | null> {
  const prefix = layout.election(election);
  const response = await client.unary(
    METHODS.range,
    { key: bytes(prefix), range_end: prefixEnd(prefix), sort_order: 'ASCEND', sort_target: 'CREATE', limit: 1 },
    { signal: options.signal, idempotent: true },
  );
  sawRevision(response['header']);
  const kv = (response['kvs'] as Message[])[0];
  if (!kv) return null;
  const key = (kv['key'] as Buffer).toString('utf8').slice(layout.root.length + 1);
  const doc = parse(key, kv['value'] as Buffer);
  if (typeof doc['nodeId'] !== 'string' || !isJsonObject(doc['info'])) {
    throw new CorruptDocumentError(key, 'expected {"nodeId": string, "info": object}');
  }
  return {
    election,
    nodeId: doc['nodeId'],
    sessionId: leaseHex(kv['lease']),
    term: toNumber(kv['create_revision']),
    since: typeof doc['since'] === 'number' ? doc['since'] : 0,
    info: doc['info'],
  };
}

/**
 * Live members sorted by node id. A member whose value is not `{"info": object}` is reported
 * with `onCorrupt` and skipped, so one bad entry cannot hide the others.
 */
export async function readMembers(
  client: EtcdClient,
  layout: EtcdLayout,
  onCorrupt: (error: CorruptDocumentError) => void,
  sawRevision: (header: unknown) => void,
  options: CallOptions = {},
): Promise<Member[]> {
  const prefix = layout.members;
  const response = await client.unary(METHODS.range, { key: bytes(prefix), range_end: prefixEnd(prefix) }, { signal: options.signal, idempotent: true });
  sawRevision(response['header']);
  const members: Member[] = [];
  for (const kv of response['kvs'] as Message[]) {
    const nodeId = (kv['key'] as Buffer).toString('utf8').slice(prefix.length);
    const key = `members/${nodeId}`;
    try {
      const doc = parse(key, kv['value'] as Buffer);
      if (!isJsonObject(doc['info'])) throw new CorruptDocumentError(key, 'expected {"info": object}');
      members.push({ nodeId, sessionId: leaseHex(kv['lease']), info: doc['info'] });
    } catch (error) {
      if (!(error instanceof CorruptDocumentError)) throw error;
      onCorrupt(error);
    }
  }
  return members.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

function parse(key: string, data: Buffer): JsonObject {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new CorruptDocumentError(key, `not valid JSON (${data.length} bytes)`, { cause: error });
  }
  if (!isJsonObject(doc)) throw new CorruptDocumentError(key, 'not a JSON object');
  return doc;
}
