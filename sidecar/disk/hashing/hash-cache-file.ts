import { z } from 'zod';
import { zSha256 } from '../../registry/registry-schema';

/** The hash cache file (`<modelsRoot>/.registry/hash-cache.json`): SHA-256 by "dev:ino:size:mtimeMs". */
export const zHashCacheFile = z.object({
  version: z.literal(1),
  /** A flat string map keeps 10,000 entries quick to parse (a rescan must stay under a second). */
  entries: z.record(z.string(), zSha256),
});

export type HashCacheFile = z.infer<typeof zHashCacheFile>;
