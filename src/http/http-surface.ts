import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError, PortInUseError } from '../errors.js';
import type { NodeSurface } from '../node/node-surface.js';
import type { NodeView } from './node-view.js';
import { createHttpServer } from './server.js';

/**
 * The node's HTTP API as a surface of the node: binds `config.http` when the node starts
 * (after its store opened, before it joins the cluster, so the bound port is advertised as
 * `http`), closes when the node closes. A bind failure is a typed error naming the setting.
 */
export function httpSurface(node: NodeView): NodeSurface {
  let app: FastifyInstance | null = null;
  return {
    async start() {
      const { host, port } = node.config.http;
      app = createHttpServer(node, { logger: node.logger });
      try {
        await app.listen({ host, port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new PortInUseError(`http.port: port ${port} on ${host} is already in use; pick another http.port (0 = any free port) or stop the process using it`, { cause: error });
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError('http.host', `cannot bind ${host}: no such local address`, { cause: error });
        if (code === 'EACCES') throw new ConfigError('http.port', `no permission to bind port ${port} on ${host}; use a port above 1023`, { cause: error });
        throw error;
      }
      const bound = (app.server.address() as AddressInfo).port;
      node.logger.info({ reason: 'listening', host, port: bound }, 'http listening on %s:%d', host, bound);
      return { http: bound };
    },
    async close() {
      await app?.close().catch((error: unknown) => node.logger.warn({ err: error }, 'http close failed'));
    },
  };
}
