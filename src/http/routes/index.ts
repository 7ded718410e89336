/** Every route module of the node's HTTP API. A feature adds its routes with one line. */
import { bucketsRoutes } from './buckets.js';
import { clusterRoutes } from './cluster.js';
import { dashboardRoutes } from './dashboard.js';
import { dashboardLiveRoutes } from './dashboard-live.js';
import { docsRoutes } from './docs.js';
import { drainRoutes } from './drain.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { nodeStatusRoutes } from './node-status.js';
import { operationsRoutes } from './operations.js';
import { partitionRoutes } from './partitions.js';
import type { RouteModule } from './route-module.js';

export const routeModules: readonly RouteModule[] = [healthRoutes, clusterRoutes, bucketsRoutes, metricsRoutes, docsRoutes, dashboardRoutes, partitionRoutes, nodeStatusRoutes, dashboardLiveRoutes, operationsRoutes, drainRoutes];
