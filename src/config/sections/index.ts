/**
 * The configuration schema: the node's own fields, then one entry per feature section. Each
 * feature owns its section (schema and type, e.g. src/buckets/buckets-config.ts) and is added
 * here with one line (`buckets: bucketsSection,`) and in ../types.ts with its type.
 */
import { bucketsSection } from '../../buckets/buckets-config.js';
import { section, type SectionSpec } from '../../feature/config-spec.js';
import { partitionsSection } from '../../partitions/partitions-config.js';
import { coreFields } from './core.js';

export const configSchema: SectionSpec = section('baton node configuration', {
  ...coreFields,
  buckets: bucketsSection,
  partitions: partitionsSection,
});
