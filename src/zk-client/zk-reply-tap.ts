/**
 * Hands each request of zk-requests.ts the bytes of its reply while the library reads it, so
 * that ZkClient reads the reply itself (zk-replies.ts), and the library, which matches the
 * reply to its request and reports its error code, decodes no payload (zk-requests.ts).
 *
 * The library reads its socket one frame per call of `onSocketData`: it joins the bytes left
 * from the last chunk with the new ones, reads the first frame, keeps the rest and calls itself
 * again for it. Wrapped here, per connection: 1. join the left bytes and the new ones here
 * (once per chunk: the library copied all the remaining bytes again for every frame, and
 * skips its own join when nothing is left over); 2. if a whole frame is there and is the reply
 * to the oldest request sent (same xid) and that request is one of ours, hand the request the
 * frame's payload; 3. let the library read the frame as before.
 */
import type { RawConnectionManager } from './zk-library.js';
import { ZkRequest } from './zk-requests.js';

/** Bytes before a reply's payload: the frame length, then ReplyHeader (xid int, zxid long, err int). */
const REPLY_HEADER_END = 4 + 4 + 8 + 4;

/** The library's reader state this module uses (ConnectionManager's own fields). */
interface LibraryReader {
  /** Bytes received after the last whole frame, waiting for the rest. */
  pendingBuffer: Buffer | null | undefined;
  /** Requests sent and not answered yet, oldest first. */
  readonly pendingQueue: readonly { readonly request: object }[];
  /** The connection state; the first frame of a socket is the session handshake's reply while CONNECTING. */
  readonly state: number;
  readonly constructor: { readonly STATES: { readonly CONNECTING: number } };
  onSocketData(chunk: Buffer): void;
}

/** Installs the tap on `manager` (before it connects: the socket's reader is bound when it opens). */
export function tapReplies(manager: RawConnectionManager): void {
  const reader = manager as unknown as LibraryReader;
  const libraryRead = reader.onSocketData;
  const connecting = reader.constructor.STATES.CONNECTING;
  reader.onSocketData = (chunk: Buffer): void => {
    const left = reader.pendingBuffer;
    reader.pendingBuffer = null;
    const bytes = left === null || left === undefined ? chunk : chunk.length === 0 ? left : Buffer.concat([left, chunk]);
    if (reader.state !== connecting) handReply(reader, bytes);
    libraryRead.call(reader, bytes);
  };
}

function handReply(reader: LibraryReader, bytes: Buffer): void {
  if (bytes.length < REPLY_HEADER_END) return;
  const frameEnd = 4 + bytes.readInt32BE(0);
  if (bytes.length < frameEnd || frameEnd < REPLY_HEADER_END) return;
  const request = reader.pendingQueue[0]?.request;
  if (request instanceof ZkRequest && request.xid === bytes.readInt32BE(4)) request.reply = bytes.subarray(REPLY_HEADER_END, frameEnd);
}
