/**
 * The directory's REST routes, answering as Helix REST's `MetadataStoreDirectoryAccessor` does
 * (helix-rest, field names from metadata-store-directory-common `MetadataStoreRoutingConstants`):
 *
 *   GET    .../metadata-store-namespaces                     200 {namespaces}
 *   GET    .../metadata-store-realms                         200 {realms}
 *   GET    .../metadata-store-realms?sharding-key=P          200 {shardingKey: P as asked, realm}; 400 bad path; 404 no key
 *   PUT    .../metadata-store-realms/{realm}                 201, empty body; idempotent
 *   DELETE .../metadata-store-realms/{realm}                 200, empty body; idempotent
 *   GET    .../sharding-keys                                 200 {namespace, shardingKeys: [key]}
 *   GET    .../sharding-keys?prefix=P                        200 {prefix, shardingKeys: [{shardingKey, realm}]}; 400 bad path
 *   GET    .../metadata-store-realms/{realm}/sharding-keys   200 {realm, shardingKeys}; 404 no realm
 *   GET    ...                              ?prefix=P        200 {prefix, realm, shardingKeys} (empty for an unknown realm)
 *   PUT    .../metadata-store-realms/{realm}/sharding-keys/{key}   201; 400 invalid, or another realm's / nested key
 *   DELETE .../metadata-store-realms/{realm}/sharding-keys/{key}   200; idempotent
 *   GET    .../routing-data                                  200 {namespace, routingData: [{realm, shardingKeys}]}
 *   PUT    .../routing-data   body {realm: [key]}            201; 400 not that shape or invalid routing data
 *
 * under `/admin/v2/namespaces/{namespace}` for every configured namespace, and under `/admin/v2`
 * for the default namespace (Helix's default servlet). A key in a PUT or DELETE URL is the rest
 * of the path after `sharding-keys/`, decoded once, with "/" put in front (Helix's
 * `{sharding-key: .+}` template): `.../sharding-keys/orders/eu` is `/orders/eu`.
 *
 * Where Helix answers 500 because a namespace's routing data is empty (its trie is missing), the
 * directory answers as for data without the key: 404 for `?sharding-key=`, no keys for `?prefix=`.
 * Writes are validated in full on every route (Helix's `PUT /routing-data` stores invalid data).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { RoutingData } from '../federation/routing-data.js';
import { isValidZkPath, zkPathProblem } from '../federation/sharding-key.js';
import { unknownNamespace, type DirectoryStore } from './directory-store.js';
import { RoutingEditor } from './routing-editor.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>;

/** Helix REST's URL prefix in the deployments Helix documents (`msds_context_url_prefix`). */
export const DIRECTORY_URL_PREFIX = '/admin/v2';

export function registerDirectoryRoutes(app: FastifyInstance, store: DirectoryStore, defaultNamespace: string | undefined): void {
  const editor = new RoutingEditor(store);
  registerNamespaceRoutes(app, `${DIRECTORY_URL_PREFIX}/namespaces/:ns`, store, editor, (request) => request.params['ns'] as string);
  if (defaultNamespace !== undefined) registerNamespaceRoutes(app, DIRECTORY_URL_PREFIX, store, editor, () => defaultNamespace);
  // The namespace list answers at the top even without a default namespace (baton has always
  // served it there; Helix serves it from its default servlet).
  else app.get(`${DIRECTORY_URL_PREFIX}/metadata-store-namespaces`, async () => ({ namespaces: store.namespaces() }));
}

function registerNamespaceRoutes(app: FastifyInstance, base: string, store: DirectoryStore, editor: RoutingEditor, namespaceOf: (request: Req) => string): void {
  /** The request's namespace; a 404 first thing when it is not configured (no servlet in Helix). */
  const known = (request: Req): string => {
    const namespace = namespaceOf(request);
    if (!store.namespaces().includes(namespace)) throw unknownNamespace(namespace, store.namespaces());
    return namespace;
  };
  const load = async (request: Req): Promise<{ namespace: string; data: RoutingData }> => {
    const namespace = known(request);
    return { namespace, data: (await store.read(namespace)).data };
  };

  app.get(`${base}/metadata-store-namespaces`, async (request: Req) => {
    known(request);
    return { namespaces: store.namespaces() };
  });

  app.get(`${base}/metadata-store-realms`, async (request: Req) => {
    const { data } = await load(request);
    const path = request.query['sharding-key'];
    if (path === undefined) return { realms: data.realms };
    const route = data.tryLookup(validPath('sharding-key', path));
    if (typeof route !== 'object') throw new NotFoundError(path, `no sharding key found within the path "${path}"`);
    return { shardingKey: path, realm: route.realm };
  });

  app.put(`${base}/metadata-store-realms/:realm`, async (request: Req, reply: FastifyReply) => {
    await editor.addRealm(known(request), request.params['realm'] as string);
    return reply.code(201).send();
  });

  app.delete(`${base}/metadata-store-realms/:realm`, async (request: Req, reply: FastifyReply) => {
    await editor.removeRealm(known(request), request.params['realm'] as string);
    return reply.code(200).send();
  });

  app.get(`${base}/sharding-keys`, async (request: Req) => {
    const { namespace, data } = await load(request);
    const prefix = request.query['prefix'];
    if (prefix === undefined) return { namespace, shardingKeys: data.routes().map((r) => r.shardingKey) };
    return { prefix, shardingKeys: data.keysUnder(validPath('prefix', prefix)).map((r) => ({ shardingKey: r.shardingKey, realm: r.realm })) };
  });

  app.get(`${base}/metadata-store-realms/:realm/sharding-keys`, async (request: Req) => {
    const { namespace, data } = await load(request);
    const realm = request.params['realm'] as string;
    const prefix = request.query['prefix'];
    if (prefix !== undefined) {
      return { prefix, realm, shardingKeys: data.keysUnder(validPath('prefix', prefix)).filter((r) => r.realm === realm).map((r) => r.shardingKey) };
    }
    const keys = data.shardingKeys(realm);
    if (keys === undefined) throw new NotFoundError(realm, `realm "${realm}" does not exist in namespace "${namespace}"`);
    return { realm, shardingKeys: keys };
  });

  app.put(`${base}/metadata-store-realms/:realm/sharding-keys/*`, async (request: Req, reply: FastifyReply) => {
    await editor.addShardingKey(known(request), request.params['realm'] as string, keyFromUrl(request));
    return reply.code(201).send();
  });

  app.delete(`${base}/metadata-store-realms/:realm/sharding-keys/*`, async (request: Req, reply: FastifyReply) => {
    await editor.removeShardingKey(known(request), request.params['realm'] as string, keyFromUrl(request));
    return reply.code(200).send();
  });

  app.get(`${base}/routing-data`, async (request: Req) => {
    const { namespace, data } = await load(request);
    return { namespace, routingData: data.toRealmList() };
  });

  app.put(`${base}/routing-data`, async (request: Req, reply: FastifyReply) => {
    await editor.setRoutingData(known(request), routingFromBody(request.body));
    return reply.code(201).send();
  });
}

/** `path` if Helix's ZooKeeper path rule accepts it, else a 400 naming the query parameter. */
function validPath(parameter: string, path: string): string {
  if (!isValidZkPath(path)) throw new InvalidArgumentError(`${parameter} "${path}" is not a valid ZooKeeper path: ${zkPathProblem(path)}`);
  return path;
}

/**
 * A PUT routing-data body: Helix's `{ "<realm>": ["/key", ...] }` (its only accepted shape),
 * validated in full; an empty body is a 400 as in Helix.
 */
function routingFromBody(body: unknown): RoutingData {
  if (body === undefined) throw new InvalidArgumentError('the body must be routing data as JSON: {"<realm>": ["/key", ...]}');
  return RoutingData.from(body, { allowNoKeys: true });
}

/** The key named by the rest of the URL: `a/b` means `/a/b` (Helix puts "/" in front). */
function keyFromUrl(request: Req): string {
  return `/${request.params['*'] as string}`;
}
