/**
 * The directory's REST routes, with Helix's paths and response field names
 * (`namespaces`, `namespace`, `realms`, `realm`, `shardingKeys`, `shardingKey`, `prefix`,
 * `routingData`). A sharding key in a URL is the rest of the path after `sharding-keys/`, either
 * plain (`.../sharding-keys/orders/eu` is `/orders/eu`, as Helix reads it) or URL-encoded as one
 * segment (`.../sharding-keys/%2Forders%2Feu`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.js';
import { RoutingData, isUnderPrefix, type RealmShardingKeys } from '../federation/routing-data.js';
import { isJsonObject } from '../backend/json.js';
import { validateNamespace, type DirectoryStore } from './directory-store.js';
import { RoutingEditor } from './routing-editor.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>;

const NS = '/admin/v2/namespaces/:ns';

export function registerDirectoryRoutes(app: FastifyInstance, store: DirectoryStore): void {
  const editor = new RoutingEditor(store);
  const load = async (request: Req): Promise<{ namespace: string; data: RoutingData }> => {
    const namespace = validateNamespace(request.params['ns'] as string);
    const snapshot = await store.read(namespace);
    if (!snapshot) throw new NotFoundError(namespace, `namespace "${namespace}" does not exist; PUT a realm or routing data to create it`);
    return { namespace, data: snapshot.data };
  };

  app.get('/admin/v2/metadata-store-namespaces', async () => ({ namespaces: await store.namespaces() }));

  app.get(`${NS}/metadata-store-realms`, async (request: Req) => {
    const { namespace, data } = await load(request);
    const path = request.query['sharding-key'];
    if (path === undefined) return { namespace, realms: data.realms };
    const route = data.lookup(path);
    return { shardingKey: route.shardingKey, realm: route.realm, path };
  });

  app.put(`${NS}/metadata-store-realms/:realm`, async (request: Req, reply) => {
    const { ns, realm } = request.params as { ns: string; realm: string };
    const data = await editor.addRealm(ns, realm);
    return reply.code(201).send({ namespace: ns, realm, shardingKeys: data.shardingKeys(realm) ?? [] });
  });

  app.delete(`${NS}/metadata-store-realms/:realm`, async (request: Req) => {
    const { ns, realm } = request.params as { ns: string; realm: string };
    const data = await editor.removeRealm(ns, realm);
    return { namespace: ns, realms: data.realms };
  });

  app.get(`${NS}/sharding-keys`, async (request: Req) => {
    const { namespace, data } = await load(request);
    const prefix = request.query['prefix'];
    if (prefix === undefined) return { namespace, shardingKeys: data.routes().map((r) => r.shardingKey) };
    return { prefix, shardingKeys: data.routes().filter((r) => matchesPrefix(r.shardingKey, prefix)) };
  });

  app.get(`${NS}/metadata-store-realms/:realm/sharding-keys`, async (request: Req) => {
    const { namespace, data } = await load(request);
    const realm = request.params['realm'] as string;
    const keys = data.shardingKeys(realm);
    if (keys === undefined) throw new NotFoundError(realm, `namespace "${namespace}" has no realm "${realm}"`);
    const prefix = request.query['prefix'];
    if (prefix === undefined) return { realm, shardingKeys: keys };
    return { prefix, realm, shardingKeys: keys.filter((k) => matchesPrefix(k, prefix)) };
  });

  app.put(`${NS}/metadata-store-realms/:realm/sharding-keys/*`, async (request: Req, reply) => {
    const { ns, realm } = request.params as { ns: string; realm: string };
    const key = keyFromUrl(request.params['*'] as string);
    const data = await editor.addShardingKey(ns, realm, key);
    return reply.code(201).send({ namespace: ns, realm, shardingKey: key, shardingKeys: data.shardingKeys(realm) ?? [] });
  });

  app.delete(`${NS}/metadata-store-realms/:realm/sharding-keys/*`, async (request: Req) => {
    const { ns, realm } = request.params as { ns: string; realm: string };
    const key = keyFromUrl(request.params['*'] as string);
    const data = await editor.removeShardingKey(ns, realm, key);
    return { namespace: ns, realm, shardingKeys: data.shardingKeys(realm) ?? [] };
  });

  app.get(`${NS}/routing-data`, async (request: Req) => {
    const { namespace, data } = await load(request);
    return { namespace, routingData: data.toRealmList() };
  });

  app.put(`${NS}/routing-data`, async (request: Req, reply) => {
    const namespace = validateNamespace(request.params['ns'] as string);
    const data = await editor.setRoutingData(namespace, routingFromBody(request.body));
    return reply.code(201).send({ namespace, routingData: data.toRealmList() });
  });
}

/**
 * A PUT routing-data body: Helix's `{ "<realm>": ["/key", ...] }`, or the `GET` shape
 * `{ "routingData": [{ "realm", "shardingKeys" }] }` so a read can be written back as is.
 * Validated in full (at least one key, no duplicates, no nesting).
 */
function routingFromBody(body: unknown): RoutingData {
  if (isJsonObject(body) && Array.isArray(body['routingData'])) {
    return RoutingData.fromRealmList(body['routingData'] as unknown as RealmShardingKeys[]);
  }
  return RoutingData.from(body);
}

/** The key named by the rest of the URL: `a/b` and `%2Fa%2Fb` (decoded to `/a/b`) both mean `/a/b`. */
function keyFromUrl(rest: string): string {
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Helix's prefix filter: keys under the prefix, and the key the prefix itself lies under. */
function matchesPrefix(key: string, prefix: string): boolean {
  return isUnderPrefix(key, prefix) || isUnderPrefix(prefix, key);
}
