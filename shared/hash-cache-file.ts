import { z } from 'zod';

/** The hash cache file (`<modelsRoot>/.registry/hash-cache.json`): SHA-256 by "dev:ino:size:mtimeMs". */
export const zHashCacheFile = z.object({
  version: z.literal(1),
  entries: z.record(
    z.string(),
    z.object({
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /** The path the file had when it was hashed; informative only, the key is the identity. */
      path: z.string().optional(),
    }),
  ),
});

export type HashCacheFile = z.infer<typeof zHashCacheFile>;
