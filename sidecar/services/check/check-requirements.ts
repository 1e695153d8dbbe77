import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckItem, CheckResult, UnavailableCode } from '../../../shared/check-result';
import { isDepotError } from '../../../shared/errors';
import type { InvalidEntry, Requirement } from '../../../shared/requirement';
import { urlWithoutCredentials } from '../../../shared/url-without-credentials';
import { hashFile as defaultHashFile } from '../../disk/hashing/hash-file';
import type { FileIdentity } from '../../disk/hashing/file-identity';
import type { ExtraModelDir } from '../../disk/places/read-extra-model-paths';
import { resolveModelPlaces } from '../../disk/places/resolve-model-places';
import { createHostPolicy } from '../../remote/host-policy';
import type { Catalog } from '../catalog/catalog-schema';
import { type CatalogAnswer, type CatalogCandidate, catalogUrl } from './check-catalog-url';
import { checkDestinations } from './check-destination';
import { chooseDownloadUrl, type CheckHostPolicy } from './check-download-url';
import { findElsewhere } from './check-elsewhere';
import { FindByName } from './check-find-by-name';
import { findLinkSource } from './check-link-source';
import { lookUpMissingHashes, type LookupRemote } from './check-remote-facts';
import { summarizeCheck } from './check-summary';
import { inspectTarget, type CheckHashCache, type CheckRegistry, type TargetState } from './check-target';

export type { LookupRemote, RemoteFileFacts } from './check-remote-facts';
export type { CheckHashCache, CheckRegistry } from './check-target';
export type { CheckHostPolicy } from './check-download-url';

export interface CheckRequirementsOptions {
  /** What the workflow needs (from `extractRequirements`, or an install request). */
  requirements: readonly Requirement[];
  /** The registry, the index of every known copy by SHA-256 (`Registry` fits; only reads are used). */
  registry: CheckRegistry;
  /** The models root: targets are `<modelsRoot>/<category>/<filename>`. */
  modelsRoot: string;
  /** The hash cache, consulted before hashing a file nothing else records. Default: none. */
  hashCache?: CheckHashCache;
  /** Hashes a file under a wanted name when its content must be compared. Default: `hashFile`. */
  hashFile?: (file: string) => Promise<{ sha256: string; identity?: FileIdentity }>;
  /** SHA-256 and size of a URL from its host, for requirements with a URL but no SHA-256. Default: no look-ups. */
  lookupRemote?: LookupRemote;
  /** Free bytes on the volume of a folder (`freeSpace`). */
  freeSpace: (dir: string) => Promise<number>;
  /** Which URLs may be downloaded. Default: `createHostPolicy()` (https HuggingFace and Civitai, no loopback). */
  hostPolicy?: CheckHostPolicy;
  /** Workflow entries that could not be read, passed through to the result. Default: none. */
  invalid?: readonly InvalidEntry[];
  /** Catalogs of known models, asked for the URL of a file the workflow names without one. Default: none. */
  catalogs?: readonly Catalog[];
  /** `--pick` choices among catalog candidates (see `catalogUrl`). Default: none. */
  picks?: ReadonlyMap<string, string>;
  /**
   * A ComfyUI install's extra_model_paths.yaml folders: a file of the wanted name in any of them is present, and a
   * folder's is_default root is where its models go. Default none (everything under the models root).
   */
  extraDirs?: readonly ExtraModelDir[];
}

interface Draft {
  requirement: Requirement;
  /** `<category>/<filename>`, relative to the models root. */
  targetPath: string;
  target?: string;
  /** The folder `target` must stay inside: the models root, or the is_default extra root it goes to. */
  root?: string;
  /** Where else ComfyUI would find the file by name (see `resolveModelPlaces`). */
  elsewhere?: string[];
  /** The file found in one of `elsewhere`, when the target is absent. */
  foundAt?: string;
  /** Why the install would refuse to write the target (its name, or where its folder really leads). */
  refusal?: { code: UnavailableCode; reason: string };
  /** Why the host could not be asked for the SHA-256 and size (a missing item's reason). */
  lookupFailure?: string;
  state?: TargetState;
  sha256?: string;
  size?: number;
  needsToken: boolean;
  urlSource?: string;
  candidates?: CatalogCandidate[];
}

/**
 * What each requirement's state is on this machine: present, linkable (same SHA-256 elsewhere), missing (with URL
 * and size), conflict (other content under the wanted name) or unavailable (no usable URL, a repository its host
 * says is missing or out of the token's reach, or a destination the install refuses), plus a summary. Destinations
 * are judged by the install's own rules (`resolveModelPath` on the same category and name, `assertStillInside` for
 * targets not on disk yet), so nothing is offered that the install would then refuse.
 *
 * Fast by design: the registry is the index, so nothing is scanned. Each target is stat'ed once; a file is hashed
 * only when its content must be compared and neither the registry nor the hash cache knows it; remote look-ups
 * happen only for absent targets with a URL and no SHA-256.
 */
export async function checkRequirements(options: CheckRequirementsOptions): Promise<CheckResult> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const policy = options.hostPolicy ?? createHostPolicy();
  const catalogs = { catalogs: options.catalogs ?? [], ...(options.picks && { picks: options.picks }) };
  const drafts = options.requirements.map((requirement) =>
    draftOf(catalogUrl(requirement, catalogs), modelsRoot, options.extraDirs),
  );
  const modelsDev = statSync(modelsRoot, { throwIfNoEntry: false })?.dev;
  for (const draft of drafts) {
    if (draft.target) draft.state = inspectTarget(draft.target, options.registry, options.hashCache);
  }
  // Refused destinations first: their URLs are not worth a request to the host.
  judgeDestinations(drafts, modelsRoot);
  const [freeBytes] = await Promise.all([
    options.freeSpace(modelsRoot),
    lookUpMissingHashes(drafts, policy, options.lookupRemote),
  ]);

  const byName = new FindByName(options.registry, modelsRoot);
  const context = { ...options, modelsRoot, modelsDev, policy, byName, hashing: Promise.resolve() };
  const presentAt = new Map<CheckItem, string>();
  const items = await Promise.all(
    drafts.map(async (draft) => {
      const item = await classify(draft, context);
      const foundAt = draft.state?.kind === 'file' ? draft.state.path : draft.foundAt;
      if (item.status === 'present' && foundAt !== undefined) presentAt.set(item, foundAt);
      return item;
    }),
  );
  linkToPresentTwins(items, modelsRoot, presentAt);
  return { items, summary: summarizeCheck(items, freeBytes), invalid: [...(options.invalid ?? [])] };
}

function draftOf(
  { requirement, urlSource, candidates }: CatalogAnswer,
  modelsRoot: string,
  extraDirs: readonly ExtraModelDir[] | undefined,
): Draft {
  const draft: Draft = {
    requirement,
    ...(urlSource !== undefined && { urlSource }),
    ...(candidates !== undefined && { candidates }),
    targetPath: `${requirement.category}/${requirement.filename}`,
    ...(requirement.sha256 !== undefined && { sha256: requirement.sha256 }),
    ...(requirement.size !== undefined && { size: requirement.size }),
    needsToken: requirement.requiresAuth === true,
  };
  try {
    // The very call the install makes, on the raw category: a category the install refuses (`"loras "`) is refused here.
    const places = resolveModelPlaces({
      modelsRoot,
      extraDirs,
      category: requirement.category,
      filename: requirement.filename,
    });
    draft.target = places.target;
    draft.root = places.root;
    draft.elsewhere = places.elsewhere;
    draft.targetPath = places.targetPath;
  } catch (error) {
    if (!isDepotError(error) || error.code !== 'UNSAFE_PATH') throw error;
    draft.refusal = {
      code: 'UNSAFE_PATH',
      reason: `${error.message} Nothing can be installed under it: correct the workflow, then check again.`,
    };
    return draft;
  }
  return draft;
}

/** Drafts whose target is not on disk yet and whose folder really leads outside the models root become refusals. */
function judgeDestinations(drafts: Draft[], modelsRoot: string): void {
  const checkDestination = checkDestinations();
  for (const draft of drafts) {
    if (draft.target === undefined || draft.state?.kind !== 'absent') continue;
    const root = draft.root ?? modelsRoot;
    // An is_default root that does not exist yet is created by the install: ComfyUI's configured place for the folder.
    if (root !== modelsRoot && !existsSync(root)) continue;
    const refusal = checkDestination({ modelsRoot: root, target: draft.target, targetPath: draft.targetPath });
    if (refusal === undefined) continue;
    draft.refusal = refusal;
    delete draft.state;
  }
}

interface ClassifyContext extends CheckRequirementsOptions {
  modelsRoot: string;
  modelsDev: number | undefined;
  policy: CheckHostPolicy;
  byName: FindByName;
  /** Hashing at check time is rare and heavy: one file at a time. */
  hashing: Promise<unknown>;
}

async function classify(draft: Draft, ctx: ClassifyContext): Promise<CheckItem> {
  const base = itemBase(draft);
  if (draft.refusal !== undefined || !draft.target || !draft.state) {
    const refusal = draft.refusal ?? {
      code: 'UNSAFE_PATH',
      reason: `${draft.targetPath}: the target path cannot be used.`,
    };
    return { ...base, status: 'unavailable', reason: refusal.reason, code: refusal.code };
  }
  const state = draft.state;
  if (state.kind === 'blocked') {
    return { ...base, status: 'conflict', reason: `${draft.targetPath}: ${state.reason}. Nothing is overwritten.` };
  }
  if (state.kind === 'file') return classifyExisting(draft, state, ctx);
  const found = await findElsewhere({
    places: draft.elsewhere ?? [],
    sha256: draft.sha256,
    size: draft.requirement.size,
    registry: ctx.registry,
    hashCache: ctx.hashCache,
    hash: (file) => hashOnce(file, ctx),
  });
  if (found !== undefined) {
    draft.foundAt = found.path;
    return { ...base, status: 'present', size: found.size, ...(found.sha256 && { sha256: found.sha256 }) };
  }

  const sha256 = draft.sha256;
  const model = sha256 === undefined ? undefined : ctx.registry.findBySha256(sha256);
  if (sha256 !== undefined && model) {
    const source = findLinkSource({
      sha256,
      size: model.size,
      target: draft.target,
      modelsRoot: ctx.modelsRoot,
      modelsDev: ctx.modelsDev,
      registry: ctx.registry,
      hashCache: ctx.hashCache,
    });
    if (source) return { ...base, status: 'linkable', sha256, size: model.size, source };
  }
  const choice = chooseDownloadUrl(draft.requirement.urls, ctx.policy, draft.targetPath);
  if ('url' in choice) {
    return {
      ...base,
      status: 'missing',
      url: choice.url,
      ...(choice.provider && { provider: choice.provider }),
      ...(draft.lookupFailure !== undefined && { reason: draft.lookupFailure }),
    };
  }
  // By name only as a last resort: names such as `model.safetensors` repeat across repositories.
  if (sha256 === undefined) {
    const named = ctx.byName.find(draft.requirement.category, draft.requirement.filename, draft.target);
    if (named) return { ...base, status: 'linkable', sha256: named.sha256, size: named.size, source: named.source };
  }
  const code = draft.requirement.urls.length > 0 ? 'HOST_NOT_ALLOWED' : 'NOT_FOUND';
  if (draft.candidates !== undefined) {
    const name = draft.requirement.filename.slice(draft.requirement.filename.lastIndexOf('/') + 1);
    const reason =
      `${draft.targetPath}: ${draft.candidates.length} catalog entries match this name and none is chosen ` +
      `silently; pick one with \`install --pick ${name}=<number>\` (or =<URL>).`;
    return { ...itemBase(draft), status: 'unavailable', reason, code };
  }
  return { ...base, status: 'unavailable', reason: choice.reason, code };
}

async function classifyExisting(
  draft: Draft,
  state: Extract<TargetState, { kind: 'file' }>,
  ctx: ClassifyContext,
): Promise<CheckItem> {
  const base = { ...itemBase(draft), size: state.identity.size };
  const expected = draft.sha256;
  // Without an expected hash, the file under the wanted name is taken as the one meant (ComfyUI does the same).
  if (expected === undefined) return { ...base, status: 'present', ...(state.sha256 && { sha256: state.sha256 }) };
  let actual = state.sha256;
  if (actual === undefined && draft.requirement.size !== undefined && draft.requirement.size !== state.identity.size) {
    return {
      ...base,
      sha256: expected,
      status: 'conflict',
      reason: conflictReason(
        draft.targetPath,
        `is ${state.identity.size} bytes, the workflow expects ${draft.requirement.size}`,
      ),
    };
  }
  if (actual === undefined) {
    const hashed = await hashOnce(state, ctx);
    if ('error' in hashed) {
      return {
        ...base,
        sha256: expected,
        status: 'conflict',
        reason: `${draft.targetPath} could not be verified: ${hashed.error}`,
      };
    }
    actual = hashed.sha256;
  }
  if (actual === expected) return { ...base, status: 'present', sha256: actual };
  return {
    ...base,
    sha256: expected,
    status: 'conflict',
    reason: conflictReason(
      draft.targetPath,
      `has SHA-256 ${actual.slice(0, 12)}…, the workflow expects ${expected.slice(0, 12)}…`,
    ),
  };
}

async function hashOnce(
  state: Extract<TargetState, { kind: 'file' }>,
  ctx: ClassifyContext,
): Promise<{ sha256: string } | { error: string }> {
  const hash = ctx.hashFile ?? defaultHashFile;
  const run = ctx.hashing.then(() => hash(state.path));
  ctx.hashing = run.catch(() => undefined);
  try {
    const result = await run;
    ctx.hashCache?.set?.(result.identity ?? state.identity, result.sha256, state.path);
    return { sha256: result.sha256 };
  } catch (error) {
    // A file being written or unreadable right now is reported on its item; the rest of the check stands.
    if (isDepotError(error)) return { error: error.message };
    throw error;
  }
}

function conflictReason(targetPath: string, difference: string): string {
  return (
    `another file is already at ${targetPath}: it ${difference}. It is never overwritten: rename or move it ` +
    `(or change the file name in the workflow), then check again.`
  );
}

function itemBase(draft: Draft): CheckItem {
  return {
    // Requirements may come straight from an HTTP body: the result never echoes credentials in a URL.
    requirement: { ...draft.requirement, urls: draft.requirement.urls.map(withoutCredentials) },
    status: 'missing',
    targetPath: draft.targetPath,
    ...(draft.sha256 !== undefined && { sha256: draft.sha256 }),
    ...(draft.size !== undefined && { size: draft.size }),
    needsToken: draft.needsToken,
    ...(draft.urlSource !== undefined && { urlSource: draft.urlSource }),
    ...(draft.candidates !== undefined && { candidates: draft.candidates }),
  };
}

/**
 * Credentials sit in a URL's user info (before an `@`) or its query: a URL with neither, as every URL a workflow's
 * entries become once read, is passed on without being parsed again.
 */
function withoutCredentials(url: string): string {
  if (!url.includes('@') && !url.includes('?')) return url;
  return urlWithoutCredentials(url) ?? url;
}

/** Unavailable for where it would go, not for where it would come from: a link there is refused as well. */
const DESTINATION_CODES: ReadonlySet<UnavailableCode> = new Set<UnavailableCode>(['UNSAFE_PATH', 'IO']);

/**
 * Two names of the same SHA-256 in one workflow: when one is already present, the other links to it even if the
 * registry has not recorded that file yet (unless its own destination is refused).
 */
function linkToPresentTwins(items: CheckItem[], modelsRoot: string, presentAt: ReadonlyMap<CheckItem, string>): void {
  const present = new Map<string, CheckItem>();
  for (const item of items) if (item.status === 'present' && item.sha256) present.set(item.sha256, item);
  items.forEach((item, i) => {
    if ((item.status !== 'missing' && item.status !== 'unavailable') || !item.sha256) return;
    if (item.code !== undefined && DESTINATION_CODES.has(item.code)) return;
    const twin = present.get(item.sha256);
    if (!twin) return;
    const { reason: _reason, code: _code, url: _url, provider: _provider, ...rest } = item;
    items[i] = {
      ...rest,
      status: 'linkable',
      size: twin.size,
      source: { path: presentAt.get(twin) ?? path.join(modelsRoot, twin.targetPath), kind: 'models' },
      needsToken: false,
    };
  });
}
