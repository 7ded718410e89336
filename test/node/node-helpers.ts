import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import type { BatonConfig } from '../../src/config/types.js';

/** Short timings for in-process node tests (ms, real monotonic clock). */
export const FAST_TIMING = { ttlMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200, pollIntervalMs: 50 };

/** A validated config for tests: any free port, fast timings, the given overrides. */
export function testConfig(values: Record<string, unknown> = {}): BatonConfig {
  return loadConfig({ env: {}, values: { http: { port: 0 }, election: FAST_TIMING, ...values } }).config;
}

export const silentLogger = pino({ level: 'silent' });

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
