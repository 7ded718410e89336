/**
 * Fastify compiles every route's JSON schemas (ajv validators, fast-json-stringify serializers)
 * when the server gets ready: ajv's meta-schema and some 40 route schemas, the largest share of a
 * node's start-up CPU that baton controls (100-200 ms per start on a quiet machine, issue 12).
 * These compilers are the ones Fastify uses by default, resolved from Fastify's own folder, each
 * schema built on its route's first request instead, so a node whose API nobody calls never pays.
 * Consequence: a schema error shows as a 500 on the route's first request, not at start-up (the
 * HTTP tests call every route). Fastify does not lower-case a headers schema for a custom
 * compiler; no baton route declares one.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
/** What Fastify hands a compiler: the schema and where it applies (method, url, part or status). */
type RouteSchema = { readonly schema: unknown };
type Validate = ((data: unknown, context?: unknown) => unknown) & { readonly errors?: unknown; readonly schemaEnv?: unknown };
type Serialize = (data: unknown) => string;
/** A compilers factory's shape, untyped: (the server's shared schemas, its options) -> compile one route's schema. */
type Build<F> = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => F;

/** Loads a compiler package as Fastify does: the version its own package depends on. */
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const selectorOf = <T>(pkg: string): (() => T) => requireFromFastify(pkg) as () => T;

/** Compilers for `Fastify({ schemaController: { compilersFactory } })`; one per server, as Fastify's own. */
export function lazySchemaCompilers(): CompilersFactory {
  let validators: Build<Validate> | undefined;
  let serializers: Build<Serialize> | undefined;
  const factory: { buildValidator: Build<Validate>; buildSerializer: Build<Serialize> } = {
    buildValidator(externalSchemas, ajvOptions) {
      let compile: ((route: RouteSchema) => Validate) | undefined;
      const compiler = () => (compile ??= (validators ??= selectorOf<Build<Validate>>('@fastify/ajv-compiler')())(externalSchemas, ajvOptions));
      return (route) => lazyValidator(() => compiler()(route));
    },
    buildSerializer(externalSchemas, serializerOptions) {
      let compile: ((route: RouteSchema) => Serialize) | undefined;
      const compiler = () => (compile ??= (serializers ??= selectorOf<Build<Serialize>>('@fastify/fast-json-stringify-compiler')())(externalSchemas, serializerOptions));
      return (route) => {
        let serialize: Serialize | undefined;
        return (data) => (serialize ??= compiler()(route))(data);
      };
    },
  };
  return factory as CompilersFactory;
}

/**
 * A validator that compiles on its first call. Fastify reads `errors` after a failed call and
 * `schemaEnv` before each call (an ajv function gets its parent then, to coerce a root value),
 * so both are read from the compiled function.
 */
function lazyValidator(build: () => Validate): Validate {
  let validate: Validate | undefined;
  const compiled = () => (validate ??= build());
  const lazy = (data: unknown, context?: unknown) => compiled()(data, context);
  Object.defineProperties(lazy, {
    errors: { get: () => compiled().errors },
    schemaEnv: { get: () => compiled().schemaEnv },
  });
  return lazy;
}
