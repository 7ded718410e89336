import type { JsonObject } from '../contract/json.js';
import type { BatonConfig } from '../config/types.js';

/**
 * The info a node publishes as a member and as leader: its advertised host, named ports (with
 * `http` set to the port the server actually bound), zone, weight and tags.
 */
export function memberInfo(config: BatonConfig, httpPort: number): JsonObject {
  const ports: Record<string, number> = { http: httpPort, ...config.advertise.ports };
  return {
    host: config.advertise.host,
    ports,
    zone: config.advertise.zone,
    weight: config.advertise.weight,
    tags: [...config.advertise.tags],
  };
}
