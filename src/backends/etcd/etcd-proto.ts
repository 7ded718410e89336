/**
 * The part of etcd's v3 gRPC protocol this backend speaks, as protocol buffer definitions.
 *
 * Provenance: the messages, field numbers and service paths are etcd's published protocol,
 * `api/etcdserverpb/rpc.proto` and `api/mvccpb/kv.proto` of etcd v3.4 (github.com/etcd-io/etcd,
 * Apache-2.0), cut down to the calls baton makes (KV Range/Put/DeleteRange/Txn, Watch, Lease
 * Grant/Revoke/KeepAlive, Auth Authenticate, Maintenance Status) and the fields it reads or
 * sets; comments and gateway annotations are left out. The wire format is what matters: a
 * field left out here is skipped on decode and never sent.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package etcdserverpb;

message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}
message KeyValue {
  bytes key = 1;
  int64 create_revision = 2;
  int64 mod_revision = 3;
  int64 version = 4;
  bytes value = 5;
  int64 lease = 6;
}
message Event {
  enum EventType { PUT = 0; DELETE = 1; }
  EventType type = 1;
  KeyValue kv = 2;
}
message RangeRequest {
  enum SortOrder { NONE = 0; ASCEND = 1; DESCEND = 2; }
  enum SortTarget { KEY = 0; VERSION = 1; CREATE = 2; MOD = 3; VALUE = 4; }
  bytes key = 1;
  bytes range_end = 2;
  int64 limit = 3;
  SortOrder sort_order = 5;
  SortTarget sort_target = 6;
  bool keys_only = 8;
  int64 max_create_revision = 13;
}
message RangeResponse {
  ResponseHeader header = 1;
  repeated KeyValue kvs = 2;
  bool more = 3;
  int64 count = 4;
}
message PutRequest {
  bytes key = 1;
  bytes value = 2;
  int64 lease = 3;
}
message PutResponse { ResponseHeader header = 1; }
message DeleteRangeRequest {
  bytes key = 1;
  bytes range_end = 2;
}
message DeleteRangeResponse {
  ResponseHeader header = 1;
  int64 deleted = 2;
}
message RequestOp {
  oneof request {
    RangeRequest request_range = 1;
    PutRequest request_put = 2;
    DeleteRangeRequest request_delete_range = 3;
  }
}
message ResponseOp {
  oneof response {
    RangeResponse response_range = 1;
    PutResponse response_put = 2;
    DeleteRangeResponse response_delete_range = 3;
  }
}
message Compare {
  enum CompareResult { EQUAL = 0; GREATER = 1; LESS = 2; NOT_EQUAL = 3; }
  enum CompareTarget { VERSION = 0; CREATE = 1; MOD = 2; VALUE = 3; LEASE = 4; }
  CompareResult result = 1;
  CompareTarget target = 2;
  bytes key = 3;
  oneof target_union {
    int64 version = 4;
    int64 create_revision = 5;
    int64 mod_revision = 6;
    bytes value = 7;
    int64 lease = 8;
  }
  bytes range_end = 64;
}
message TxnRequest {
  repeated Compare compare = 1;
  repeated RequestOp success = 2;
  repeated RequestOp failure = 3;
}
message TxnResponse {
  ResponseHeader header = 1;
  bool succeeded = 2;
  repeated ResponseOp responses = 3;
}
message WatchCreateRequest {
  enum FilterType { NOPUT = 0; NODELETE = 1; }
  bytes key = 1;
  bytes range_end = 2;
  int64 start_revision = 3;
  bool progress_notify = 4;
  repeated FilterType filters = 5;
  bool fragment = 8;
}
message WatchCancelRequest { int64 watch_id = 1; }
message WatchRequest {
  oneof request_union {
    WatchCreateRequest create_request = 1;
    WatchCancelRequest cancel_request = 2;
  }
}
message WatchResponse {
  ResponseHeader header = 1;
  int64 watch_id = 2;
  bool created = 3;
  bool canceled = 4;
  int64 compact_revision = 5;
  string cancel_reason = 6;
  bool fragment = 7;
  repeated Event events = 11;
}
message LeaseGrantRequest { int64 TTL = 1; int64 ID = 2; }
message LeaseGrantResponse { ResponseHeader header = 1; int64 ID = 2; int64 TTL = 3; string error = 4; }
message LeaseRevokeRequest { int64 ID = 1; }
message LeaseRevokeResponse { ResponseHeader header = 1; }
message LeaseKeepAliveRequest { int64 ID = 1; }
message LeaseKeepAliveResponse { ResponseHeader header = 1; int64 ID = 2; int64 TTL = 3; }
message AuthenticateRequest { string name = 1; string password = 2; }
message AuthenticateResponse { ResponseHeader header = 1; string token = 2; }
message StatusRequest {}
message StatusResponse { ResponseHeader header = 1; string version = 2; uint64 leader = 4; uint64 raftTerm = 6; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;

/** One message type: encode a plain object, decode to a plain object (64-bit numbers as strings). */
export interface MessageType {
  encode(value: object): Buffer;
  decode(bytes: Buffer): Record<string, unknown>;
}

function messageType(name: string): MessageType {
  const type = root.lookupType(`etcdserverpb.${name}`);
  return {
    encode: (value) => Buffer.from(type.encode(type.fromObject(value)).finish()),
    decode: (bytes) => type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true, bytes: Buffer }) as Record<string, unknown>,
  };
}

/** A gRPC method: its path and the types it sends and receives. */
export interface Method {
  readonly path: string;
  readonly request: MessageType;
  readonly response: MessageType;
}

function method(service: string, name: string, request: string, response: string): Method {
  return Object.freeze({ path: `/etcdserverpb.${service}/${name}`, request: messageType(request), response: messageType(response) });
}

/** Every call this backend makes. */
export const METHODS = Object.freeze({
  range: method('KV', 'Range', 'RangeRequest', 'RangeResponse'),
  put: method('KV', 'Put', 'PutRequest', 'PutResponse'),
  deleteRange: method('KV', 'DeleteRange', 'DeleteRangeRequest', 'DeleteRangeResponse'),
  txn: method('KV', 'Txn', 'TxnRequest', 'TxnResponse'),
  watch: method('Watch', 'Watch', 'WatchRequest', 'WatchResponse'),
  leaseGrant: method('Lease', 'LeaseGrant', 'LeaseGrantRequest', 'LeaseGrantResponse'),
  leaseRevoke: method('Lease', 'LeaseRevoke', 'LeaseRevokeRequest', 'LeaseRevokeResponse'),
  leaseKeepAlive: method('Lease', 'LeaseKeepAlive', 'LeaseKeepAliveRequest', 'LeaseKeepAliveResponse'),
  authenticate: method('Auth', 'Authenticate', 'AuthenticateRequest', 'AuthenticateResponse'),
  status: method('Maintenance', 'Status', 'StatusRequest', 'StatusResponse'),
});
