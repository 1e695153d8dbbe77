import { accessSync, constants, lstatSync, type Stats, statSync } from 'node:fs';
import { errorCodeOf } from '../../../shared/errors';
import path from 'node:path';
import type { FileIdentity } from '../../disk/hashing/file-identity';
import type { Registry } from '../../registry/registry';
import type { FileEntry } from '../../registry/registry-schema';
import { type VerifyFileDeps, verifyRegisteredFile } from './verify-registered-file';

/** Why a copy is left as it is. */
export type DedupeSkipReason = 'open' | 'read-only' | 'other-volume' | 'changed' | 'gone' | 'unreadable' | 'failed';

export interface DedupeSkip {
  path: string;
  sha256: string;
  reason: DedupeSkipReason;
  message: string;
}

export interface PlannedLink {
  path: string;
  /** The kind that will be tried first (a symlink falls back to a hard link on the same volume). */
  kind: 'symlink' | 'hardlink';
  /** The bytes as verified: the file is left alone if it changes before the rename. */
  identity: FileIdentity;
  category?: string;
  /** Said beside the link: it sits on another volume, where only a symlink can help. */
  note?: string;
}

export interface DedupeGroup {
  sha256: string;
  size: number;
  /** The file every link leads to. */
  canonical: string;
  links: PlannedLink[];
  /** Bytes the links give back: copies whose every name is replaced (a hard-linked copy frees nothing until then). */
  bytes: number;
}

export interface PlanDedupeOptions extends VerifyFileDeps {
  registry: Pick<Registry, 'allFiles' | 'findBySha256'>;
  modelsRoot: string;
  /** Only files of this model folder (`checkpoints`, `loras`...). Default all. */
  folder?: string;
  /** Only models of at least this many bytes. Default 0. */
  minSize?: number;
  /** Symlinks may be made (the only link across volumes). Default true. */
  allowSymlink?: boolean;
  /** Hard links may be made (same volume only). Default true. */
  allowHardlink?: boolean;
  /** `dev:ino` of files other processes hold open; undefined when that cannot be known. */
  openFiles: ReadonlySet<string> | undefined;
}

export interface DedupePlan {
  groups: DedupeGroup[];
  skipped: DedupeSkip[];
  /** Files whose bytes were read to verify them (0 on a second run over unchanged files). */
  hashed: number;
  /** Files vouched for by the registry or the hash cache without reading. */
  cacheHits: number;
}

/** Whether each folder is read-only, asked once per folder. */
interface FolderCache {
  readOnly: Map<string, boolean>;
}

interface Copy {
  entry: Readonly<FileEntry>;
  identity: FileIdentity;
  nlink: number;
}

/**
 * Which registered copies can become links: for each SHA-256 with several files, every file is verified (its bytes
 * are still what the registry says, by identity or by reading), symlinks are already links, and of the real files
 * one stays canonical (the registry's, else the first under the models root) while each other becomes a link,
 * unless another program holds it open, its folder is read-only, or only a link kind that is not allowed would do.
 * HuggingFace cache entries are the cache's own and are never replaced. Changes nothing.
 */
export async function planDedupe(options: PlanDedupeOptions): Promise<DedupePlan> {
  const plan: DedupePlan = { groups: [], skipped: [], hashed: 0, cacheHits: 0 };
  const readOnly = new Map<string, boolean>();
  for (const [sha256, entries] of groupBySha256(options)) {
    const copies: Copy[] = [];
    for (const entry of entries) {
      const copy = await judgeCopy(entry, options, plan);
      if (copy) copies.push(copy);
    }
    const group = await groupOf(sha256, copies, { ...options, readOnly }, plan);
    if (group && group.links.length > 0) plan.groups.push(group);
  }
  return plan;
}

function groupBySha256(options: PlanDedupeOptions): Map<string, Readonly<FileEntry>[]> {
  const groups = new Map<string, Readonly<FileEntry>[]>();
  for (const entry of options.registry.allFiles()) {
    if (entry.kind === 'hf-cache') continue;
    if (options.folder !== undefined && entry.category !== options.folder) continue;
    const model = options.registry.findBySha256(entry.sha256);
    if (!model || model.size < (options.minSize ?? 0)) continue;
    const list = groups.get(entry.sha256) ?? [];
    list.push(entry);
    groups.set(entry.sha256, list);
  }
  for (const [sha256, list] of groups) if (list.length < 2) groups.delete(sha256);
  return groups;
}

/**
 * A real file that verified, or nothing: a symlink is already a link (not verified: its bytes are the file it leads
 * to); any problem is recorded as skipped. Synchronous stats: a plan stats every registered file, and thousands of
 * async ones would queue in libuv's small thread pool.
 */
async function judgeCopy(
  entry: Readonly<FileEntry>,
  deps: VerifyFileDeps,
  plan: DedupePlan,
): Promise<Copy | undefined> {
  const skip = (reason: DedupeSkipReason, message: string) => {
    plan.skipped.push({ path: entry.path, sha256: entry.sha256, reason, message });
    return undefined;
  };
  let info: Stats | undefined;
  try {
    if (lstatSync(entry.path, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
    info = statSync(entry.path, { throwIfNoEntry: false });
  } catch (error) {
    return skip('unreadable', `${entry.path} cannot be examined (${errorCodeOf(error) ?? 'error'}).`);
  }
  if (info === undefined) return skip('gone', `${entry.path} is gone; run \`model-depot doctor --fix\`.`);
  const verified = await verifyRegisteredFile(entry, deps, info);
  if (verified.state !== 'ok') return skip(verified.state, verified.message);
  if (verified.how === 'read') plan.hashed++;
  else plan.cacheHits++;
  if (verified.sha256 !== entry.sha256) {
    return skip(
      'changed',
      `${entry.path} changed since it was registered (SHA-256 ${verified.sha256.slice(0, 12)}…, registered ` +
        `${entry.sha256.slice(0, 12)}…); run \`model-depot migrate\` to register it again.`,
    );
  }
  return { entry, identity: verified.identity, nlink: info.nlink };
}

async function groupOf(
  sha256: string,
  copies: Copy[],
  options: PlanDedupeOptions & FolderCache,
  plan: DedupePlan,
): Promise<DedupeGroup | undefined> {
  const canonicalPath = options.registry.findBySha256(sha256)?.file_path;
  const root = path.resolve(options.modelsRoot) + path.sep;
  const canonical =
    copies.find((c) => c.entry.path === canonicalPath) ??
    copies.find((c) => c.entry.path.startsWith(root)) ??
    copies[0];
  if (!canonical) return undefined;
  const { size } = canonical.identity;
  const group: DedupeGroup = { sha256, size, canonical: canonical.entry.path, links: [], bytes: 0 };
  /** Per replaced inode: how many of its names become links, and how many it has. */
  const inodes = new Map<string, { names: number; nlink: number }>();
  for (const copy of copies) {
    if (copy === canonical || sameInode(copy.identity, canonical.identity)) continue;
    const link = await planLink(copy, canonical, options, plan);
    if (!link) continue;
    group.links.push(link);
    const key = `${copy.identity.dev}:${copy.identity.ino}`;
    const seen = inodes.get(key) ?? { names: 0, nlink: copy.nlink };
    seen.names++;
    inodes.set(key, seen);
  }
  for (const { names, nlink } of inodes.values()) if (names >= nlink) group.bytes += size;
  return group;
}

async function planLink(
  copy: Copy,
  canonical: Copy,
  options: PlanDedupeOptions & FolderCache,
  plan: DedupePlan,
): Promise<PlannedLink | undefined> {
  const { entry, identity } = copy;
  const skip = (reason: DedupeSkipReason, message: string) => {
    plan.skipped.push({ path: entry.path, sha256: entry.sha256, reason, message });
    return undefined;
  };
  if (options.openFiles?.has(`${identity.dev}:${identity.ino}`)) {
    return skip('open', `${entry.path} is open in another program; close it and run dedupe again.`);
  }
  const folder = path.dirname(entry.path);
  let readOnly = options.readOnly.get(folder);
  if (readOnly === undefined) {
    readOnly = isReadOnlyFolder(folder);
    options.readOnly.set(folder, readOnly);
  }
  if (readOnly) {
    return skip('read-only', `${folder} is read-only; ${entry.path} was left as it is.`);
  }
  const otherVolume = identity.dev !== canonical.identity.dev;
  const allowSymlink = options.allowSymlink ?? true;
  const allowHardlink = options.allowHardlink ?? true;
  if (otherVolume && !allowSymlink) {
    return skip(
      'other-volume',
      `${entry.path} is on another volume than ${canonical.entry.path}: only a symlink could replace it, and symlinks are not allowed here.`,
    );
  }
  if (!allowSymlink && !allowHardlink) return skip('failed', `${entry.path}: no kind of link is allowed.`);
  return {
    path: entry.path,
    kind: allowSymlink ? 'symlink' : 'hardlink',
    identity,
    ...(entry.category === undefined ? {} : { category: entry.category }),
    ...(otherVolume && {
      note: `on another volume than ${canonical.entry.path}: only a symlink can help (a hard link cannot cross volumes)`,
    }),
  };
}

/**
 * A folder nobody may write to (no write bit) counts as read-only even for root, who could write anyway: the
 * owner's choice is respected. A read-only mount shows as EROFS from access().
 */
function isReadOnlyFolder(folder: string): boolean {
  const info = statSync(folder);
  if ((info.mode & 0o222) === 0) return true;
  try {
    accessSync(folder, constants.W_OK);
    return false;
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return true;
    throw error;
  }
}

function sameInode(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
