/**
 * The import rules of src/ (`npm run depcheck`, part of `npm test`), written from DESIGN.md
 * "Layers". Each folder of src/ belongs to one layer; a layer imports its own folders and the
 * layers it lists under `may`, nothing else:
 *
 *   entry points   index.ts, entry-points/        the package's public entries: anything
 *   surfaces       cli/, http/                    the `baton` program, the HTTP API
 *   runtime        node/, config/                 BatonNode: config, session, running features
 *   features       election/, owned-items/, ...   written once against the contract
 *   feature        feature/                       what the runtime gives a feature
 *   backends       backends/*, amoro/             implement the contract (amoro/ reads Amoro's
 *                                                 own tables and znodes over the same drivers)
 *   clients        zk-client/                     the ZooKeeper client module
 *   contract       contract/                      Backend, Session, Election, Members, KV
 *   base           src/*.ts                       errors, clock, async helpers, judged signals
 *
 * The contract is the interface the backends implement, so backends import it and features
 * import only it, never a backend. Rules after the layer table keep apart what one layer holds.
 */

// Each layer: the paths under src/ it holds (as regular expressions, with a readable label) and
// the layers it may import besides its own.
const layers = {
  'entry points': {
    label: 'src/index.ts, src/entry-points/',
    paths: ['index\\.ts$', 'entry-points/'],
    may: ['surfaces', 'runtime', 'features', 'feature contract', 'backends', 'clients', 'contract', 'base', 'testing'],
  },
  surfaces: { label: 'src/cli/, src/http/', paths: ['cli/', 'http/'], may: ['runtime', 'features', 'feature contract', 'backends', 'clients', 'contract', 'base'] },
  runtime: { label: 'src/node/, src/config/', paths: ['node/', 'config/'], may: ['features', 'feature contract', 'backends', 'clients', 'contract', 'base'] },
  features: {
    label: 'src/election/, src/owned-items/, src/buckets/, src/partitions/, src/federation/, src/directory/, ...',
    paths: ['election/', 'owned-items/', 'handoff/', 'holding/', 'assignment/', 'buckets/', 'partitions/', 'locks/', 'federation/', 'directory/', 'cluster-settings/', 'operations/'],
    may: ['feature contract', 'clients', 'contract', 'base'],
  },
  'feature contract': { label: 'src/feature/', paths: ['feature/'], may: ['contract', 'base'] },
  backends: { label: 'src/backends/, src/amoro/', paths: ['backends/', 'amoro/'], may: ['clients', 'contract', 'base'] },
  clients: { label: 'src/zk-client/', paths: ['zk-client/'], may: ['base'] },
  contract: { label: 'src/contract/', paths: ['contract/'], may: ['base'] },
  base: { label: 'src/*.ts', paths: ['[^/]+\\.ts$'], may: [] },
  testing: { label: 'src/testing/', paths: ['testing/'], may: ['base'] },
};

const anyOf = (paths) => `^src/(${paths.join('|')})`;

const layerRules = Object.entries(layers).map(([name, layer]) => ({
  name: `layer: ${name}`,
  severity: 'error',
  comment: `${name} (${layer.label}) may import ${layer.may.length === 0 ? 'no folder of src/' : `only its own layer and ${layer.may.join(', ')}`}: imports point down DESIGN.md's layers (.dependency-cruiser.mjs)`,
  from: { path: anyOf(layer.paths), ...(name === 'base' ? { pathNot: '^src/index\\.ts$' } : {}) },
  to: { path: '^src/', pathNot: anyOf([...layer.paths, ...layer.may.flatMap((other) => layers[other].paths)]) },
}));

export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'an import cycle: move what both sides need into a module of its own below them',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'every folder in a layer',
      severity: 'error',
      comment: 'a module in a folder of src/ that no layer holds: add the folder to the layer table of .dependency-cruiser.mjs (and to DESIGN.md\'s picture)',
      from: { path: '^src/', pathNot: anyOf(Object.values(layers).flatMap((layer) => layer.paths)) },
      to: {},
    },
    {
      name: 'buckets and partitions over owned-items',
      severity: 'error',
      comment: 'buckets/ and partitions/ are thin layers over the owned-items engine (owned-items/, handoff/, holding/, assignment/): the engine and the other features never import them',
      from: { path: '^src/(election|owned-items|handoff|holding|assignment|locks|federation|directory)/' },
      to: { path: '^src/(buckets|partitions)/' },
    },
    {
      name: 'cluster settings over the contract only',
      severity: 'error',
      comment: 'cluster-settings/ (the settings every node must share) is called by buckets/ and partitions/ at start; it imports only the contract and the base, so either can call it',
      from: { path: '^src/cluster-settings/' },
      to: { path: '^src/', pathNot: '^src/(cluster-settings/|contract/|[^/]+\\.ts$)' },
    },
    {
      name: 'operations over the contract only',
      severity: 'error',
      comment: 'operations/ (where the operator\'s requests and action log are stored) is read by the engine, the node and the surfaces; it imports only the contract and the base, so any of them can',
      from: { path: '^src/operations/' },
      to: { path: '^src/', pathNot: '^src/(operations/|contract/|[^/]+\\.ts$)' },
    },
    {
      name: 'buckets apart from partitions',
      severity: 'error',
      comment: 'buckets/ and partitions/ share only the owned-items engine, never each other',
      from: { path: '^src/buckets/' },
      to: { path: '^src/partitions/' },
    },
    {
      name: 'partitions apart from buckets',
      severity: 'error',
      comment: 'buckets/ and partitions/ share only the owned-items engine, never each other',
      from: { path: '^src/partitions/' },
      to: { path: '^src/buckets/' },
    },
    {
      name: 'zookeeper client only for federation and directory',
      severity: 'error',
      comment: 'among the features only federation/ and directory/ (ZooKeeper only) use the ZooKeeper client; the others go through the contract',
      from: { path: '^src/(election|owned-items|handoff|holding|assignment|buckets|partitions|locks)/' },
      to: { path: '^src/zk-client/' },
    },
    {
      name: 'directory over federation',
      severity: 'error',
      comment: 'the directory service serves routing data to federated clients: directory/ may import federation/, not the other way',
      from: { path: '^src/federation/' },
      to: { path: '^src/directory/' },
    },
    {
      name: 'http not over cli',
      severity: 'error',
      comment: 'the HTTP API is a library surface: http/ never imports the command-line program',
      from: { path: '^src/http/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'config not over node',
      severity: 'error',
      comment: 'config/ reads and validates settings; the node (node/) uses it, never the other way',
      from: { path: '^src/config/' },
      to: { path: '^src/node/' },
    },
    {
      name: 'no tests in the library',
      severity: 'error',
      comment: 'src/ never imports test/, bench/, chaos/ or scripts/',
      from: { path: '^src/' },
      to: { path: '^(test|bench|chaos|scripts)/' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'an import the checker cannot resolve, so it cannot check it either',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type pointing up the layers ties the layers as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: {
      archi: { collapsePattern: '^src/(backends/[^/]+|[^/]+)/|^src/[^/]+\\.ts$' },
    },
  },
};
