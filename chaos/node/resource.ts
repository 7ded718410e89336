/** The partitioned resource every chaos node configures. */
export const RESOURCE = 'chaosResource';
