import type { JsonObject } from '../contract/json.js';
import type { BatonConfig } from '../config/types.js';

/**
 * The info a node publishes as a member and as leader: its advertised host, named ports (with
 * `http` set to the port its HTTP API actually bound; none when it serves none, httpPort 0),
 * zone, weight and tags.
 */
export function memberInfo(config: BatonConfig, httpPort: number): JsonObject {
  const ports: Record<string, number> = { ...(httpPort > 0 ? { http: httpPort } : {}), ...config.advertise.ports };
  return {
    host: config.advertise.host,
    ports,
    zone: config.advertise.zone,
    weight: config.advertise.weight,
    tags: [...config.advertise.tags],
  };
}
