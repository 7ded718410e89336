/**
 * Node's default process metrics (CPU, memory, heap, event loop lag, GC, handles: prom-client's
 * collectDefaultMetrics), in one registry per process: they describe the process, not a node,
 * and collecting them once keeps several nodes in one process (tests, the demo) from each
 * adding their own observers. `/metrics` serves them beside the node's own registry.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/** The process-wide registry of default metrics, created on first use. */
export function processMetrics(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
