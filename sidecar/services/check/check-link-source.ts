import { errorCodeOf } from '../../../shared/errors';
import { type Stats, statSync } from 'node:fs';
import type { CheckItem } from '../../../shared/check-result';
import type { FileEntry } from '../../registry/registry-schema';
import { fileIdentity } from '../../disk/hashing/file-identity';
import { recordedIdentityMatches, type CheckHashCache, type CheckRegistry } from './check-target';
import { checkSourceKind } from './check-source-kind';

export type LinkSource = NonNullable<CheckItem['source']>;

export interface FindLinkSourceOptions {
  sha256: string;
  /** Bytes of the model, as registered. */
  size: number;
  /** The target path itself, which never counts as a source of itself. */
  target: string;
  modelsRoot: string;
  /** Device id of the models root: a source on the same volume can be hard-linked, and a symlink stays local. */
  modelsDev: number | undefined;
  registry: CheckRegistry;
  hashCache: CheckHashCache | undefined;
}

/**
 * Real bytes are better sources than links to them (a link to a link breaks when the middle one goes); among
 * those, files the depot placed in the models root come before hub folders, then the HF cache.
 */
const KIND_RANK: Readonly<Record<FileEntry['kind'], number>> = {
  file: 0,
  hardlink: 0,
  copy: 1,
  hub: 2,
  'hf-cache': 3,
  symlink: 4,
};

/**
 * The best registered copy of a model to link from: it must still be on disk as a regular file of the model's size,
 * and unchanged since it was registered (same dev, ino, size, mtime), or known to the hash cache under its current
 * state. Same volume first, then real files before links. Stats only the model's own files (usually one to three).
 */
export function findLinkSource(options: FindLinkSourceOptions): LinkSource | undefined {
  const entries = options.registry.filesOf(options.sha256).filter((entry) => entry.path !== options.target);
  const checked = entries.map((entry) => verify(entry, options));
  const usable = checked.filter((c): c is { entry: Readonly<FileEntry>; dev: number } => c !== undefined);
  usable.sort(
    (a, b) =>
      Number(b.dev === options.modelsDev) - Number(a.dev === options.modelsDev) ||
      KIND_RANK[a.entry.kind] - KIND_RANK[b.entry.kind],
  );
  const best = usable[0];
  return best ? { path: best.entry.path, kind: checkSourceKind(best.entry, options.modelsRoot) } : undefined;
}

/** Synchronous stats, for the reason given in check-target.ts. */
function verify(
  entry: Readonly<FileEntry>,
  options: FindLinkSourceOptions,
): { entry: Readonly<FileEntry>; dev: number } | undefined {
  let info: Stats | undefined;
  try {
    info = statSync(entry.path, { throwIfNoEntry: false });
  } catch (error) {
    // A registered file that is gone (or unreadable now) is simply not a source; the registry is refreshed elsewhere.
    const code = errorCodeOf(error);
    if (code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'ELOOP') return undefined;
    throw error;
  }
  if (info === undefined || !info.isFile() || info.size !== options.size) return undefined;
  const identity = fileIdentity(info);
  const hasRecordedStat = entry.ino !== undefined && entry.mtimeMs !== undefined;
  if (
    hasRecordedStat &&
    !recordedIdentityMatches(entry, identity) &&
    options.hashCache?.get(identity) !== options.sha256
  ) {
    return undefined;
  }
  return { entry, dev: info.dev };
}
