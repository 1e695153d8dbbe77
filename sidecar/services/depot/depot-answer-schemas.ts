import { z } from 'zod';
import { zFileKind, zModelListing, zRegistryStats } from '../../registry/registry-schema';

/**
 * The depot's answers as the sidecar sends them (`GET /models/stats`, `GET /models`, `POST /models/migrate`), for a
 * client that reads them back: the CLI working through a running sidecar.
 */
export const zStatsAnswer = zRegistryStats;
export const zListAnswer = z.object({ models: z.array(zModelListing) });

/** A `migrate` report (MigrateReport), as JSON. */
export const zMigrateAnswer = z.object({
  dryRun: z.boolean(),
  entries: z.array(
    z.object({
      path: z.string(),
      sha256: z.string(),
      size: z.number(),
      category: z.string().optional(),
      place: z.enum(['models', 'extra', 'hub', 'hf-cache']),
      kind: zFileKind,
      status: z.enum(['new', 'updated', 'registered']),
      hashedBy: z.enum(['read', 'cache', 'registry', 'hf-cache-name']),
    }),
  ),
  failed: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  removed: z.array(z.string()),
  totals: z.object({
    files: z.number(),
    models: z.number(),
    aliases: z.number(),
    newFiles: z.number(),
    bytes: z.number(),
    hashed: z.number(),
    bytesRead: z.number(),
    cacheHits: z.number(),
  }),
});
export type MigrateAnswer = z.infer<typeof zMigrateAnswer>;
