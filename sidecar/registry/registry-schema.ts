import { z } from 'zod';

/**
 * The model registry file `<modelsRoot>/.registry/models.json`, parsed with these schemas on
 * every load. Bump `REGISTRY_SCHEMA_VERSION` (and write a migration) whenever the stored shape changes.
 */
export const REGISTRY_SCHEMA_VERSION = 1;

/** A lowercase hex SHA-256: the identity of a model, whatever its file name. */
export const zSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits');

/**
 * How a file on disk holds a model's bytes: a plain `file`, a link the depot made (`symlink`, `hardlink`, `copy`
 * where links are not allowed), or a file found in a hub directory (`hub`) or the HuggingFace cache (`hf-cache`).
 */
export const zFileKind = z.enum(['file', 'symlink', 'hardlink', 'copy', 'hub', 'hf-cache']);

/** One model, keyed by its SHA-256. */
export const zModelEntry = z.object({
  sha256: zSha256,
  /** Bytes. */
  size: z.number().int().nonnegative(),
  /** ComfyUI folder name (`checkpoints`, `loras`...); null when no file or caller said. */
  category: z.string().nullable(),
  /** The canonical file: the first one registered; null only while a model has no file yet. */
  file_path: z.string().nullable(),
  /** Where the bytes came from: download URLs (without credentials) and hub paths. */
  sources: z.array(z.string()),
  /** ISO 8601 time the model was first registered. */
  first_seen: z.string(),
});

/** One file on disk (absolute path) holding a model. */
export const zFileEntry = z.object({
  path: z.string().min(1),
  sha256: zSha256,
  kind: zFileKind,
  category: z.string().optional(),
  /** The (dev, ino, size, mtimeMs) seen when the file was registered, so a rescan can tell it is unchanged. */
  dev: z.number().optional(),
  ino: z.number().optional(),
  size: z.number().int().nonnegative().optional(),
  mtimeMs: z.number().optional(),
  /**
   * For a link the depot made in place of a copy (`dedupe`): the absolute path of the canonical file it depends on.
   * A symlink breaks when that file goes, so `remove` re-points it first; absent for files that depend on nothing.
   */
  link_target: z.string().optional(),
  /** ISO 8601 time the file was registered. */
  added_at: z.string(),
});

export const zRegistryFile = z.object({
  schemaVersion: z.literal(REGISTRY_SCHEMA_VERSION),
  models: z.record(z.string(), zModelEntry),
  files: z.record(z.string(), zFileEntry),
});

/** The registry's figures (`GET /models/stats`, `model-depot stats --json`). */
export const zRegistryStats = z.object({
  model_count: z.number().int().nonnegative(),
  /** Files that are not their model's canonical `file_path`. */
  alias_count: z.number().int().nonnegative(),
  /** Sum of model sizes in GiB, two decimals. */
  total_size_gb: z.number().nonnegative(),
});

/** One model with its aliases (`GET /models`, `model-depot list --json`). */
export const zModelListing = z.object({
  sha256: zSha256,
  size: z.number().int().nonnegative(),
  category: z.string().nullable(),
  file_path: z.string().nullable(),
  aliases: z.array(z.string()),
  sources: z.array(z.string()),
});

export type FileKind = z.infer<typeof zFileKind>;
export type ModelEntry = z.infer<typeof zModelEntry>;
export type FileEntry = z.infer<typeof zFileEntry>;
export type RegistryFile = z.infer<typeof zRegistryFile>;
export type RegistryStats = z.infer<typeof zRegistryStats>;
export type ModelListing = z.infer<typeof zModelListing>;

/** `<modelsRoot>/.registry/lock-owner.json`: who holds the registry lock, so a second opener can say who. */
export const zRegistryLockOwner = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  /** ISO 8601 time the lock was taken. */
  since: z.string(),
});

export type RegistryLockOwner = z.infer<typeof zRegistryLockOwner>;
