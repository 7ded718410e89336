/**
 * The configuration schema: the node's own fields, then one entry per feature section.
 * A feature adds its section here with one line (`buckets: bucketsSection,`).
 */
import { section, type SectionSpec } from '../spec.js';
import { bucketsSection } from './buckets.js';
import { coreFields } from './core.js';
import { partitionsSection } from './partitions.js';

export const configSchema: SectionSpec = section('baton node configuration', {
  ...coreFields,
  buckets: bucketsSection,
  partitions: partitionsSection,
});
