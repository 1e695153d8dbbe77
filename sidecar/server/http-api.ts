import { z } from 'zod';
import { zJob } from '../../shared/job';
import { zRequirement } from '../../shared/requirement';

/**
 * Bodies and answers of the sidecar's HTTP routes (`/health`, `/models/...`). The server parses every body with
 * these; the extension and scripts may parse the answers with them.
 */

/** Tokens that arrive with an install: used for this install's downloads only, kept in memory, then forgotten. */
export const zInstallTokens = z
  .object({
    huggingface: z.string().min(1).max(4096).optional(),
    civitai: z.string().min(1).max(4096).optional(),
  })
  .strict();
export type InstallTokens = z.infer<typeof zInstallTokens>;

/** `POST /models/download`. The item cap matches the WebSocket `install` message. */
export const zDownloadRequest = z.object({
  items: z.array(zRequirement).min(1).max(1000),
  tokens: zInstallTokens.optional(),
});
export type DownloadRequest = z.infer<typeof zDownloadRequest>;

export const zDownloadResponse = z.object({ jobs: z.array(zJob) });

/** Every 4xx/5xx answer: a stable code and a sentence a person can act on (never a stack, never a token). */
export const zErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof zErrorBody>;

/** `modelsRoot` only for a request that carries the sidecar's key (`X-Model-Depot-Key`). */
export const zHealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  modelsRoot: z.string().optional(),
});

/** `POST /models/migrate`: registers the models already on disk in the sidecar's places, as `model-depot migrate`. */
export const zMigrateRequest = z
  .object({
    dryRun: z.boolean().default(false),
    folder: z.string().min(1).max(200).optional(),
  })
  .strict();
