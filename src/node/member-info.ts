import type { JsonObject } from '../contract/json.js';
import type { BatonConfig } from '../config/types.js';

/**
 * The info a node publishes as a member and as leader: its advertised host, named ports (the
 * ports its surfaces actually bound, `http` for its HTTP API, then `advertise.ports`, which win),
 * zone, weight and tags.
 */
export function memberInfo(config: BatonConfig, boundPorts: Readonly<Record<string, number>>): JsonObject {
  const ports: Record<string, number> = { ...boundPorts, ...config.advertise.ports };
  return {
    host: config.advertise.host,
    ports,
    zone: config.advertise.zone,
    weight: config.advertise.weight,
    tags: [...config.advertise.tags],
  };
}
