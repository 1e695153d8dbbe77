import { z } from 'zod';
import { urlWithoutCredentials } from '../url-without-credentials';

/**
 * The parts of a ComfyUI workflow that name models, as zod schemas.
 * Every object is `.passthrough()`: workflows carry many keys we do not read, and unknown keys are tolerated.
 *
 * Two levels on purpose: the skeleton (`zWorkflowSkeleton`, `zWorkflowNode`, `zSubgraphDefinition`) only checks the
 * containers, so that one bad entry never hides the good ones beside it; each model entry is then parsed on its own
 * (`zDependencyEntry`, `zModelFile`) and a failure becomes an `InvalidEntry` with its path.
 *
 * Messages are predicates ("must be a URL") because they are printed after the field name:
 * `nodes[3].properties.models[0]: url must be a URL`.
 */

/** Longest file name accepted (ComfyUI names may hold subfolders, so more than one 255-byte segment). */
const MAX_FILENAME_LENGTH = 1024;
/** Longest URL accepted; real resolve/download URLs are far shorter. */
const MAX_URL_LENGTH = 4096;
/** A requirement with more mirrors than this is junk, not a workflow. */
const MAX_URLS_PER_ENTRY = 32;

/** A model file name as a workflow gives it. Kept as data: path safety is checked by `modelNameProblem`. */
export const zModelFileName = z
  .string({ invalid_type_error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_FILENAME_LENGTH, `must be at most ${MAX_FILENAME_LENGTH} characters`);

const NOT_A_URL = 'must be a URL (http or https)';

/**
 * A download URL's text, checked without a transform: zod runs a transform (or a refine) through an object it builds
 * per value, and one check parses a hundred of these, so the entry schemas check the text and their readers strip it
 * (`workflowUrl`). Both checks fail a text that is no URL at all; `describeEntryIssues` says it once.
 */
const zModelUrlText = z
  .string({ invalid_type_error: 'must be a string' })
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .url(NOT_A_URL)
  .regex(/^\s*https?:/i, NOT_A_URL);

/** A URL as the depot keeps it: parsed again, without user info or credential parameters. */
export function workflowUrl(text: string): string {
  return urlWithoutCredentials(text) ?? text;
}

/**
 * A download URL. Only the syntax is checked here (http or https); which hosts are allowed is the host policy's call
 * at check time, so a URL to an unknown host is a valid entry that the check reports as unavailable.
 * Credentials (user info, `?token=`) are dropped: see `urlWithoutCredentials`.
 */
export const zModelUrl = zModelUrlText.transform(workflowUrl);

/** A SHA-256's text as workflows write it: any case, maybe with surrounding spaces or ComfyUI's `sha256:` prefix. */
const zWorkflowSha256Text = z
  .string({ invalid_type_error: 'must be a string' })
  .regex(/^\s*(?:sha256:)?[0-9a-f]{64}\s*$/i, 'must be a SHA-256 (64 hexadecimal characters)');

/** A SHA-256 text `zWorkflowSha256Text` accepted, as 64 lowercase hex digits. */
export function workflowSha256(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '');
}

/**
 * A SHA-256 as workflows write it: any case, maybe with surrounding spaces or ComfyUI's `sha256:` asset prefix.
 * Output is 64 lowercase hex digits.
 */
export const zWorkflowSha256 = zWorkflowSha256Text.transform(workflowSha256);

/**
 * A `dependencies` entry: `{ filename, sha256, size, urls, display_name, required, requires_auth }`. Its SHA-256 and
 * URLs are checked text: readers pass them through `workflowSha256` and `workflowUrl`.
 */
export const zDependencyEntry = z
  .object({
    filename: zModelFileName,
    sha256: zWorkflowSha256Text.nullish(),
    size: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number of bytes')
      .nonnegative('must not be negative')
      .nullish(),
    urls: z
      .array(zModelUrlText, { invalid_type_error: 'must be a list of URLs' })
      .max(MAX_URLS_PER_ENTRY, `must hold at most ${MAX_URLS_PER_ENTRY} URLs`)
      .nullish(),
    /** Tolerated: a single URL where the `dependencies` format has a list. */
    url: zModelUrlText.nullish(),
    display_name: z.string({ invalid_type_error: 'must be a string' }).max(500, 'is too long').nullish(),
    required: z.boolean({ invalid_type_error: 'must be true or false' }).nullish(),
    requires_auth: z.boolean({ invalid_type_error: 'must be true or false' }).nullish(),
    /** Only in the flat-list form of `dependencies` (an array instead of an object of folders). */
    category: z.string({ invalid_type_error: 'must be a string' }).nullish(),
    directory: z.string({ invalid_type_error: 'must be a string' }).nullish(),
  })
  .passthrough();
export type DependencyEntry = z.infer<typeof zDependencyEntry>;

/**
 * ComfyUI's model file (`models[]` at the top level and `properties.models[]` of a node). ComfyUI's own schema
 * requires `url`; newer frontends also write entries without one, which still name a file and its folder. Its `url`
 * is checked text: readers pass it through `workflowUrl`.
 */
export const zModelFile = z
  .object({
    name: zModelFileName,
    url: zModelUrlText.nullish(),
    hash: z.string({ invalid_type_error: 'must be a string' }).max(200, 'is too long').nullish(),
    hash_type: z.string({ invalid_type_error: 'must be a string' }).max(50, 'is too long').nullish(),
    directory: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }),
  })
  .passthrough();
export type ModelFile = z.infer<typeof zModelFile>;

/**
 * The fields of a node that name models. Anything else about a node is ignored, and so is a field of an odd type
 * (a string `mode`, a numeric `type`): a quirk of one node must not hide the models of the workflow.
 */
export const zWorkflowNode = z
  .object({
    type: z.string().catch(''),
    /** 0 always, 2 never (muted), 4 bypass: ComfyUI skips models of muted and bypassed nodes. */
    mode: z.number().nullish().catch(undefined),
    properties: z.object({ models: z.unknown() }).passthrough().nullish().catch(undefined),
    widgets_values: z.unknown(),
  })
  .passthrough();
export type WorkflowNode = z.infer<typeof zWorkflowNode>;

/** `definitions.subgraphs[]`: a subgraph's nodes; an instance is a node whose `type` is the subgraph's `id`. */
export const zSubgraphDefinition = z
  .object({
    id: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }),
    nodes: z.array(z.unknown(), { invalid_type_error: 'must be a list' }).nullish(),
    definitions: z
      .object({ subgraphs: z.array(z.unknown(), { invalid_type_error: 'must be a list' }).nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();
export type SubgraphDefinition = z.infer<typeof zSubgraphDefinition>;

/**
 * The containers of a workflow. A wrong type for `nodes` or `models` means the input is not a workflow at all
 * (`BAD_INPUT`), so the messages name the key; `extra` and `definitions` of a wrong type are ignored, since the
 * rest of the workflow can still be read. `models` is null after the frontend re-serializes a graph (reference
 * section 2).
 */
export const zWorkflowSkeleton = z
  .object({
    nodes: z.array(z.unknown(), { invalid_type_error: 'must be a list of nodes' }).nullish(),
    models: z.array(z.unknown(), { invalid_type_error: 'must be a list of model files' }).nullish(),
    definitions: z
      .object({ subgraphs: z.array(z.unknown()).nullish().catch(undefined) })
      .passthrough()
      .nullish()
      .catch(undefined),
    extra: z.object({}).passthrough().nullish().catch(undefined),
    dependencies: z.unknown(),
  })
  .passthrough();
export type WorkflowSkeleton = z.infer<typeof zWorkflowSkeleton>;

/**
 * The API (prompt) format that ComfyUI queues: `{ "3": { class_type, inputs: { ckpt_name, ... } } }`.
 * Only used when a workflow has no `nodes` list.
 */
export const zApiPromptNode = z
  .object({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()) })
  .passthrough();
