import { z } from 'zod';

/**
 * `model-depot compare`: a local collection against a HuggingFace repository.
 * This file holds the boundary schemas: the metadata JSON files found in the local folder, the cache file the
 * comparer keeps beside them, and the JSON it prints with `--json` (and writes as `summary.json` with `--export-all`).
 */

export const zRepoType = z.enum(['model', 'dataset', 'space']);
export type RepoType = z.infer<typeof zRepoType>;

/**
 * A metadata JSON as ComfyUI-Lora-Manager writes it (`<name>.metadata.json` beside the model). Only these fields are
 * read; every other key is ignored. Nulls occur in real files (a model not hashed yet), so each field accepts null.
 */
export const zLocalMetadata = z
  .object({
    sha256: z.string().nullish(),
    /** Lora-Manager stores the stem here (`some_lora_v1`), other tools the whole name. */
    file_name: z.string().nullish(),
    /** Absolute path on the machine that wrote it, with `/` or `\` separators. */
    file_path: z.string().nullish(),
    size: z.number().nonnegative().nullish(),
  })
  .passthrough();
export type LocalMetadata = z.infer<typeof zLocalMetadata>;

/** One model we have locally, from a metadata JSON or from hashing the file itself. */
export const zLocalFile = z.object({
  /** The model's file name, with its extension when known (`some_lora_v1.safetensors`), else the stem. */
  name: z.string(),
  /** Whether `name` carries the extension; a bare stem is matched against the remote file's stem only. */
  hasExtension: z.boolean(),
  /** The model's path as recorded (metadata mode: `file_path`, maybe from another machine; scan mode: absolute). */
  path: z.string().nullable(),
  /** Lower-case hex, or null when the metadata has none. */
  sha256: z.string().nullable(),
  size: z.number().nullable(),
  /** Where the facts came from: the metadata JSON file, or the model file itself (absolute). */
  source: z.string(),
});
export type LocalFile = z.infer<typeof zLocalFile>;

/** One file of the repository at the compared revision. */
export const zRemoteFile = z.object({
  /** Path inside the repository (`loras/wan/x.safetensors`). */
  path: z.string(),
  /** Path relative to the compared folder (`--hf-url .../tree/main/loras` gives `wan/x.safetensors`). */
  relativePath: z.string(),
  size: z.number(),
  /** The LFS oid (= SHA-256); null for regular (non-LFS) files, which only have a git sha1. */
  sha256: z.string().nullable(),
  /** The resolve URL on the real host (or HF_ENDPOINT's), never with a token. */
  url: z.string(),
});
export type RemoteFile = z.infer<typeof zRemoteFile>;

export const zComparePair = z.object({ remote: zRemoteFile, local: zLocalFile });
export type ComparePair = z.infer<typeof zComparePair>;

export const zCompareGroups = z.object({
  /** ✓ same SHA-256 (whatever the local name). */
  matched: z.array(zComparePair),
  /** ⚠ same name, but one side has no SHA-256 to compare. */
  nameOnly: z.array(zComparePair),
  /** ✗ same name, different SHA-256 (another version?). */
  mismatched: z.array(zComparePair),
  /** ↓ on the hub, not here. */
  missing: z.array(zRemoteFile),
  /** Here, not in the repository (after the same filters). */
  localOnly: z.array(zLocalFile),
});
export type CompareGroups = z.infer<typeof zCompareGroups>;

export const zInvalidMetadataFile = z.object({ file: z.string(), reason: z.string() });
export type InvalidMetadataFile = z.infer<typeof zInvalidMetadataFile>;

/** How the local side was read: counts that tell whether the cache worked. */
export const zLocalScanStats = z.object({
  mode: z.enum(['metadata', 'files']),
  /** JSON files (metadata mode) or model files (scan mode) found below the folder. */
  filesFound: z.number(),
  /** Files whose content was read (metadata parsed or bytes hashed) in this run. */
  filesRead: z.number(),
  /** Files answered by a cache without reading them. */
  fromCache: z.number(),
  /** JSON files that are not JSON, or whose fields have the wrong types. */
  invalid: z.array(zInvalidMetadataFile),
  /** JSON files that parse but carry neither a SHA-256 nor a file name (other tools' JSON). */
  ignored: z.number(),
});
export type LocalScanStats = z.infer<typeof zLocalScanStats>;

export const zCompareSummary = z.object({
  remoteFiles: z.number(),
  remoteBytes: z.number(),
  localFiles: z.number(),
  matched: z.number(),
  nameOnly: z.number(),
  mismatched: z.number(),
  missing: z.number(),
  missingBytes: z.number(),
  localOnly: z.number(),
});
export type CompareSummary = z.infer<typeof zCompareSummary>;

/** What `--download` did with one missing file. */
export const zCompareDownload = z.object({
  /** The repository path. */
  path: z.string(),
  ok: z.boolean(),
  /** Absolute destination. */
  dest: z.string(),
  sha256: z.string().optional(),
  size: z.number().optional(),
  /** DepotError code and message when it failed. */
  code: z.string().optional(),
  message: z.string().optional(),
});
export type CompareDownload = z.infer<typeof zCompareDownload>;

/** The whole result: `model-depot compare --json` prints exactly this. */
export const zCompareResult = z.object({
  repo: z.object({
    id: z.string(),
    type: zRepoType,
    revision: z.string(),
    /** The compared folder inside the repository, or null for the whole repository. */
    path: z.string().nullable(),
    /** Asked only when no token was given: a gated repository lists without one but does not download. */
    gated: z
      .union([z.literal(false), z.enum(['auto', 'manual'])])
      .nullable()
      .optional(),
  }),
  localDir: z.string(),
  filter: z.string().nullable(),
  safetensorsOnly: z.boolean(),
  summary: zCompareSummary,
  groups: zCompareGroups,
  local: zLocalScanStats,
  /** With `--download`: one outcome per missing file. */
  downloads: z.array(zCompareDownload).optional(),
});
export type CompareResult = z.infer<typeof zCompareResult>;

/**
 * The metadata cache file in the local folder (`.model-depot-compare-cache.json`): what each JSON file said, keyed
 * by its path relative to the folder, valid while its mtime and size are unchanged.
 */
export const zMetadataCacheEntry = z.object({
  mtimeMs: z.number(),
  size: z.number(),
  /** The parsed record, or null when the file was ignored or invalid. */
  local: zLocalFile.nullable(),
  /** Set when the file was invalid: the reason shown with -v. */
  invalid: z.string().optional(),
});
export type MetadataCacheEntry = z.infer<typeof zMetadataCacheEntry>;

export const zMetadataCacheFile = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), zMetadataCacheEntry),
});
export type MetadataCacheFile = z.infer<typeof zMetadataCacheFile>;

/** The options of `model-depot compare` as commander hands them over (names as commander camel-cases them). */
export const zCompareCliOptions = z.object({
  hfUrl: z.string().optional(),
  hfRepo: z.string().optional(),
  repoType: z.string().optional(),
  localDir: z.string(),
  branch: z.string().optional(),
  scanFiles: z.boolean().default(false),
  safetensorsOnly: z.boolean().default(false),
  filter: z.string().optional(),
  exportMissing: z.string().optional(),
  exportUrls: z.string().optional(),
  exportMatches: z.string().optional(),
  exportAria2: z.string().optional(),
  exportAll: z.string().optional(),
  /** commander's `--no-cache`: true unless given. */
  cache: z.boolean().default(true),
  clearCache: z.boolean().default(false),
  token: z.string().optional(),
  verbose: z.boolean().default(false),
  download: z.boolean().default(false),
  downloadDir: z.string().optional(),
  /** `--limit KBPS` (a string as typed) or `--no-limit` (false); absent: the config's bandwidth_limit_kb. */
  limit: z.union([z.string(), z.literal(false)]).optional(),
});
export type CompareCliOptions = z.infer<typeof zCompareCliOptions>;

/** The two fields of `GET /api/{models|datasets|spaces}/{repo}` that `compare` needs. */
export const zRepoAccessInfo = z
  .object({
    private: z.boolean().optional(),
    gated: z.union([z.literal(false), z.enum(['auto', 'manual'])]).optional(),
  })
  .passthrough();
export type RepoAccessInfo = z.infer<typeof zRepoAccessInfo>;
