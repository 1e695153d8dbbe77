import { z } from 'zod';

/**
 * The JSON of HuggingFace's and Civitai's APIs that the sidecar reads (reference: hub-protocols.md). Unknown keys are
 * dropped; only what we use is checked, so that the hosts can add fields without breaking us.
 */

/** A lowercase 64-hex SHA-256 from any case (Civitai answers UPPERCASE). */
const zLooseSha256 = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/));

export const zHfRepoType = z.enum(['model', 'dataset', 'space']);
export type HfRepoType = z.infer<typeof zHfRepoType>;

/** One entry of `GET /api/{type}s/{repo}/tree/{rev}`; `lfs.oid` is the SHA-256 of an LFS file. */
export const zHfTreeEntry = z.object({
  // huggingface.js's ListFileEntry also allows 'unknown'; callers keep only 'file' entries.
  type: z.enum(['file', 'directory', 'unknown']),
  /** Git blob sha1 (of the LFS pointer for LFS files), or the tree sha1. */
  oid: z.string(),
  size: z.number().int().nonnegative(),
  path: z.string(),
  lfs: z
    .object({
      oid: zLooseSha256,
      size: z.number().int().nonnegative(),
      pointerSize: z.number().int().nonnegative().optional(),
    })
    .nullish(),
});
export type HfTreeEntry = z.infer<typeof zHfTreeEntry>;

export const zHfTreePage = z.array(zHfTreeEntry);

/** `GET /api/{type}s/{repo}[?blobs=true]`: siblings carry `lfs.sha256` (not `oid`) and sizes with blobs=true. */
export const zHfRepoInfo = z.object({
  id: z.string(),
  sha: z.string().optional(),
  private: z.boolean().optional(),
  gated: z.union([z.literal(false), z.literal('auto'), z.literal('manual')]).optional(),
  siblings: z
    .array(
      z.object({
        rfilename: z.string(),
        size: z.number().int().nonnegative().optional(),
        blobId: z.string().optional(),
        lfs: z.object({ sha256: zLooseSha256, size: z.number().int().nonnegative() }).nullish(),
      }),
    )
    .default([]),
});
export type HfRepoInfo = z.infer<typeof zHfRepoInfo>;

/** HF's and Civitai's error bodies: `{"error": "...", "message"?: "..."}`. */
export const zHubErrorBody = z.object({ error: z.string(), message: z.string().optional() });

const zCivitaiFile = z
  .object({
    id: z.number().int(),
    name: z.string(),
    type: z.string().optional(),
    /** bytes / 1024 as a float: NOT an exact byte count. */
    sizeKB: z.number().nonnegative(),
    metadata: z
      .object({ format: z.string().nullish(), size: z.string().nullish(), fp: z.string().nullish() })
      .nullish(),
    /** UPPERCASE hex by algorithm (AutoV2, SHA256, CRC32, BLAKE3...). */
    hashes: z.record(z.string()).default({}),
    downloadUrl: z.string(),
    primary: z.boolean().optional(),
  })
  .transform((file) => {
    const sha256 = zLooseSha256.safeParse(file.hashes.SHA256 ?? '');
    return { ...file, sha256: sha256.success ? sha256.data : undefined };
  });
export type CivitaiFile = z.infer<typeof zCivitaiFile>;

/** `GET /api/v1/model-versions/{id}` and `/by-hash/{hash}`; each file gains `sha256`, lowercase, when it has one. */
export const zCivitaiModelVersion = z.object({
  id: z.number().int(),
  modelId: z.number().int(),
  name: z.string(),
  baseModel: z.string().nullish(),
  model: z.object({ name: z.string(), type: z.string() }).partial().optional(),
  files: z.array(zCivitaiFile),
  downloadUrl: z.string().optional(),
});
export type CivitaiModelVersion = z.infer<typeof zCivitaiModelVersion>;

/** What a host said about a file URL, as the metadata cache keeps it. */
export const zRemoteFacts = z.object({
  /** Lowercase hex. */
  sha256: zLooseSha256.optional(),
  /** Exact bytes (HF `X-Linked-Size` / `Content-Length`); Civitai's `sizeKB` is never stored here. */
  size: z.number().int().nonnegative().optional(),
  /** HF `X-Repo-Commit`. */
  commit: z.string().optional(),
  etag: z.string().optional(),
  /** The file name the host gives (Civitai). */
  filename: z.string().optional(),
});
export type RemoteFacts = z.infer<typeof zRemoteFacts>;

/** `<modelsRoot>/.cache/metadata.json`: answers by URL (credentials removed); `facts: null` = the host has no such file. */
export const zMetadataCacheFile = z.object({
  version: z.literal(1),
  entries: z.record(z.object({ fetchedAt: z.number(), facts: zRemoteFacts.nullable() })),
});
export type MetadataCacheFile = z.infer<typeof zMetadataCacheFile>;
