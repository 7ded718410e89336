import { pino, type Logger } from 'pino';
import type { BatonConfig } from '../config/types.js';

/** The node's structured logger: JSON lines on stdout, bound to the cluster and node id. */
export function createNodeLogger(config: BatonConfig, destination?: NodeJS.WritableStream): Logger {
  const options = { level: config.log.level, base: { cluster: config.cluster, nodeId: config.nodeId } };
  return destination ? pino(options, destination) : pino(options);
}
