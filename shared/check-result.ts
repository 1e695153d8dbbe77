import { z } from 'zod';
import { zRequirement, zInvalidEntry } from './requirement';

export const zProvider = z.enum(['huggingface', 'civitai']);
export type Provider = z.infer<typeof zProvider>;

/**
 * present: the right file under the right name. linkable: the same SHA-256 exists elsewhere.
 * missing: must be downloaded. conflict: another file sits under the wanted name (never overwritten).
 * unavailable: no usable URL (none, or not allowed).
 */
export const zCheckStatus = z.enum(['present', 'linkable', 'missing', 'conflict', 'unavailable']);
export type CheckStatus = z.infer<typeof zCheckStatus>;

export const zLinkSource = z.object({
  /** Absolute path of the existing copy. */
  path: z.string(),
  kind: z.enum(['models', 'registry', 'hub', 'hf-cache']),
});

export const zCheckItem = z.object({
  requirement: zRequirement,
  status: zCheckStatus,
  /** Category folder + file name, relative to the models root: `checkpoints/sd_xl_base_1.0.safetensors`. */
  targetPath: z.string(),
  /** Known or looked-up SHA-256 (from the workflow or the host). */
  sha256: z.string().optional(),
  size: z.number().optional(),
  /** For linkable items: the copy that will be linked. */
  source: zLinkSource.optional(),
  /** For missing items: the URL that will be fetched (real host, never credentialed). */
  url: z.string().optional(),
  provider: zProvider.optional(),
  needsToken: z.boolean().default(false),
  /** Why it is a conflict or unavailable, in words a person can act on. */
  reason: z.string().optional(),
});
export type CheckItem = z.infer<typeof zCheckItem>;

export const zCheckSummary = z.object({
  total: z.number(),
  present: z.number(),
  linkable: z.number(),
  missing: z.number(),
  conflict: z.number(),
  unavailable: z.number(),
  bytesToDownload: z.number(),
  bytesSavedByLinking: z.number(),
  freeBytes: z.number(),
  fits: z.boolean(),
  needsToken: z.boolean(),
});
export type CheckSummary = z.infer<typeof zCheckSummary>;

export const zCheckResult = z.object({
  items: z.array(zCheckItem),
  summary: zCheckSummary,
  invalid: z.array(zInvalidEntry).default([]),
});
export type CheckResult = z.infer<typeof zCheckResult>;
