import { z } from 'zod';
import type { DepotErrorCode } from './errors';
import { zRequirement, zInvalidEntry } from './requirement';

export const zProvider = z.enum(['huggingface', 'civitai']);
export type Provider = z.infer<typeof zProvider>;

/**
 * present: the right file under the right name. linkable: the same SHA-256 exists elsewhere.
 * missing: must be downloaded. conflict: another file sits under the wanted name (never overwritten).
 * unavailable: cannot be installed: no usable URL (none, or not allowed), or a destination the install refuses
 * (an unsafe name, or a folder that resolves outside the models root); `code` says which.
 */
export const zCheckStatus = z.enum(['present', 'linkable', 'missing', 'conflict', 'unavailable']);
export type CheckStatus = z.infer<typeof zCheckStatus>;

/**
 * Why an item is unavailable, as the DepotError code its install job fails with. UNSAFE_PATH: the install's
 * safe-path rules refuse its destination (the name, or a symlinked folder leading outside the models root);
 * IO: its destination could not be examined; HOST_NOT_ALLOWED: none of its URLs may be fetched; NOT_FOUND: no URL,
 * or the host says its repository does not exist or is out of the token's reach.
 */
export const zUnavailableCode = z.enum([
  'UNSAFE_PATH',
  'IO',
  'HOST_NOT_ALLOWED',
  'NOT_FOUND',
] as const satisfies readonly DepotErrorCode[]);
export type UnavailableCode = z.infer<typeof zUnavailableCode>;

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
  /** Why it is a conflict or unavailable, or why a missing item's size is unknown, in words a person can act on. */
  reason: z.string().optional(),
  /** For unavailable items (absent from results of older sidecars): why, as a code. */
  code: zUnavailableCode.optional(),
  /**
   * Where the URLs came from: `workflow`, `catalog:<name>` (a catalog of known models matched the file name) or
   * `pick` (chosen by the person). Absent when there is none, and from older sidecars.
   */
  urlSource: z.string().optional(),
  /**
   * Several catalog entries match a file the workflow names without a URL: none is chosen silently; the item is
   * unavailable until one is picked (`install --pick NAME=INDEX`, 1-based).
   */
  candidates: z
    .array(
      z.object({
        url: z.string(),
        catalog: z.string(),
        /** Folder + file name the catalog gives it. */
        path: z.string(),
        sha256: z.string().optional(),
        name: z.string().optional(),
      }),
    )
    .optional(),
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
  /** True only when every download's size is known and they fit; see `space` for the three-way verdict. */
  fits: z.boolean(),
  /** Downloads whose size is not known (no size from the workflow or the host); absent from older sidecars. */
  unknownSizes: z.number().int().nonnegative().optional(),
  /**
   * fits: the known sizes fit and none is unknown; not-enough: the known sizes alone do not fit; unknown: the
   * known sizes fit but some are not known, so it could not be checked. Absent from older sidecars.
   */
  space: z.enum(['fits', 'not-enough', 'unknown']).optional(),
  needsToken: z.boolean(),
});
export type CheckSummary = z.infer<typeof zCheckSummary>;

export const zCheckResult = z.object({
  items: z.array(zCheckItem),
  summary: zCheckSummary,
  invalid: z.array(zInvalidEntry).default([]),
});
export type CheckResult = z.infer<typeof zCheckResult>;
