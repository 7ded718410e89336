/**
 * Pinot's participant instance id for a controller, `Controller_{host}_{port}`
 * (pinot-common `LeadControllerUtils.generateParticipantInstanceId`): what Pinot's
 * `GET /leader/tables` shows as `leadControllerId`, and what Pinot tooling parses back into the
 * controller's host and port. A resource configured with `leadControllerIdFormat:
 * pinot-participant` shows its leaders this way, built from the host and HTTP port each node
 * advertises.
 */
import type { Member } from '../contract/contract.js';
import { isJsonObject } from '../contract/json.js';

/** How `leadControllerId` names a leader: baton's node id, or Pinot's participant id. */
export type LeadControllerIdFormat = 'node-id' | 'pinot-participant';
export const LEAD_CONTROLLER_ID_FORMATS: readonly LeadControllerIdFormat[] = Object.freeze(['node-id', 'pinot-participant']);

const PREFIX = 'Controller_';

/** `Controller_{host}_{port}` of a member that advertises a host and an HTTP port, else null. */
export function pinotParticipantId(member: Member | undefined): string | null {
  const host = member?.info.host;
  const ports = member?.info.ports;
  const port = isJsonObject(ports) ? ports['http'] : undefined;
  return typeof host === 'string' && host !== '' && typeof port === 'number' ? `${PREFIX}${host}_${port}` : null;
}

/**
 * The `leadControllerId` of a partition led by `nodeId` (null: no leader). In the Pinot format,
 * a leader that advertises no host or HTTP port keeps its node id (there is no controller
 * address to name).
 */
export function leadControllerId(nodeId: string | null, format: LeadControllerIdFormat, members: readonly Member[]): string | null {
  if (nodeId === null || format === 'node-id') return nodeId;
  return pinotParticipantId(members.find((m) => m.nodeId === nodeId)) ?? nodeId;
}

/**
 * The base URL named by a participant id (`Controller_h_9000` -> `http://h:9000`), or null when
 * `id` is not one. The host is everything between the prefix and the last `_`, as Pinot splits it.
 */
export function urlOfParticipantId(id: string): string | null {
  if (!id.startsWith(PREFIX)) return null;
  const rest = id.slice(PREFIX.length);
  const cut = rest.lastIndexOf('_');
  const host = rest.slice(0, cut);
  const port = rest.slice(cut + 1);
  if (cut <= 0 || !/^\d{1,5}$/.test(port)) return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
