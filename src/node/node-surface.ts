/**
 * A server that runs beside a node (its HTTP API, src/http/http-surface.ts): the process entry
 * attaches it, the node runs its lifecycle. The node starts it once the store is open and before
 * joining the cluster, so the ports it binds are advertised in the member info; it is closed
 * after the features stop and before the store closes. The runtime knows it only by this
 * interface, so node/ never imports a surface.
 */
export interface NodeSurface {
  /** Starts serving; resolves with the named ports it bound (`{ http: 7400 }`), to advertise. */
  start(): Promise<Readonly<Record<string, number>>>;
  /** Stops serving; settles even when it never started. */
  close(): Promise<void>;
}
