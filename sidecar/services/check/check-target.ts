import { errorCodeOf } from '../../../shared/errors';
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { FileEntry } from '../../registry/registry-schema';
import { fileIdentity, sameFileIdentity, type FileIdentity } from '../../disk/hashing/file-identity';

/** The registry reads a check needs (sync, from memory). `Registry` fits. */
export interface CheckRegistry {
  findBySha256(sha256: string): { sha256: string; size: number; file_path: string | null } | undefined;
  findByPath(path: string): Readonly<FileEntry> | undefined;
  filesOf(sha256: string): readonly Readonly<FileEntry>[];
  /** Registered files by base name. */
  filesNamed(name: string): readonly Readonly<FileEntry>[];
}

/** The hash cache reads a check needs (`HashCache` fits); `set` records a hash computed during the check. */
export interface CheckHashCache {
  get(identity: FileIdentity): string | undefined;
  set?(identity: FileIdentity, sha256: string, path?: string): void;
}

/** What sits at a requirement's target path. */
export type TargetState =
  | { kind: 'absent' }
  /** A regular file (or a symlink to one). `sha256` when the registry or the hash cache knows it without reading. */
  | { kind: 'file'; path: string; identity: FileIdentity; sha256?: string }
  /** Something that is not a usable file: a folder, a broken symlink, an unreadable entry. */
  | { kind: 'blocked'; reason: string };

/**
 * Looks at a target path without reading file content: one stat (two for a symlink). The SHA-256 comes from the
 * registry when its recorded (dev, ino, size, mtime) still matches, else from the hash cache.
 *
 * Synchronous stats on purpose: a check does a few dozen, each microseconds on a local disk, and async ones would
 * queue behind downloads' writes in libuv's four-thread pool, which is what made a check's p99 spike.
 */
export function inspectTarget(
  target: string,
  registry: CheckRegistry,
  hashCache: CheckHashCache | undefined,
): TargetState {
  let info: Stats | undefined;
  try {
    info = statSync(target, { throwIfNoEntry: false });
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'ENOTDIR') return { kind: 'absent' };
    if (code === 'ELOOP') return dangling();
    return { kind: 'blocked', reason: `it cannot be read (${code ?? 'error'}); check its permissions` };
  }
  if (info === undefined) return isDanglingLink(target) ? dangling() : { kind: 'absent' };
  if (!info.isFile()) return { kind: 'blocked', reason: 'a folder or special file sits under that name' };
  const identity = fileIdentity(info);
  const sha256 = knownHash(target, identity, registry, hashCache) ?? knownHashOfLinkTarget(target, identity, registry);
  return sha256 === undefined
    ? { kind: 'file', path: target, identity }
    : { kind: 'file', path: target, identity, sha256 };
}

/** The SHA-256 recorded for this exact file state, or undefined. */
export function knownHash(
  path: string,
  identity: FileIdentity,
  registry: CheckRegistry,
  hashCache: CheckHashCache | undefined,
): string | undefined {
  const entry = registry.findByPath(path);
  if (entry && recordedIdentityMatches(entry, identity)) return entry.sha256;
  return hashCache?.get(identity);
}

/** True when the registry recorded a stat for the entry and it equals `identity`. */
export function recordedIdentityMatches(entry: Readonly<FileEntry>, identity: FileIdentity): boolean {
  if (entry.dev === undefined || entry.ino === undefined || entry.size === undefined || entry.mtimeMs === undefined) {
    return false;
  }
  return sameFileIdentity({ dev: entry.dev, ino: entry.ino, size: entry.size, mtimeMs: entry.mtimeMs }, identity);
}

/** A symlink made by an install is registered under its own path, its bytes under the real file's path. */
function knownHashOfLinkTarget(target: string, identity: FileIdentity, registry: CheckRegistry): string | undefined {
  if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return undefined;
  const entry = registry.findByPath(realpathSync(target));
  return entry && recordedIdentityMatches(entry, identity) ? entry.sha256 : undefined;
}

function isDanglingLink(target: string): boolean {
  try {
    return lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  } catch (error) {
    if (errorCodeOf(error) === 'ENOTDIR') return false;
    throw error;
  }
}

function dangling(): TargetState {
  return { kind: 'blocked', reason: 'a broken symlink sits under that name; remove it' };
}
