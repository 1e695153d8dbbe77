import { lstat, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DepotError, errorCodeOf } from '../../../shared/errors';
import { replaceWithLink } from '../../disk/replace-with-link';
import type { Registry } from '../../registry/registry';
import type { FileEntry } from '../../registry/registry-schema';
import { findVerifiedCopy } from './find-verified-copy';
import type { VerifyFileDeps } from './verify-registered-file';

export interface RemoveModelFileOptions extends VerifyFileDeps {
  registry: Registry;
  /** The registered file to remove. */
  file: string;
}

export interface RemoveReport {
  removed: string;
  sha256: string;
  /** The file that holds the model's bytes now, when the removed one held them for links. */
  newCanonical?: string;
  /** Links re-pointed to `newCanonical`. */
  repointed: string[];
}

/**
 * Removes one registered file. When symlinks depend on it, its canonical role first moves to a remaining verified
 * copy and the links are re-pointed there; with no copy left, the file itself moves into the place of one of its
 * links (a rename on the same volume, so no byte is copied) and the other links follow. Refuses (CONFLICT) when
 * neither is possible, so a remove never breaks a link.
 */
export async function removeModelFile(options: RemoveModelFileOptions): Promise<RemoveReport> {
  const { registry } = options;
  const file = path.resolve(options.file);
  const entry = registry.findByPath(file);
  if (!entry) {
    throw new DepotError('NOT_FOUND', `${file} is not a registered model file; \`model-depot list\` shows them.`);
  }
  const dependents = await symlinksInto(registry, entry);
  const report: RemoveReport = { removed: file, sha256: entry.sha256, repointed: [] };
  await registry.batch(async () => {
    if (dependents.length > 0) {
      const except = new Set([file, ...dependents.map((d) => d.path)]);
      const successor =
        (await findVerifiedCopy(registry, entry.sha256, except, options)) ??
        (await promote(registry, entry, dependents));
      report.newCanonical = successor;
      for (const link of dependents) {
        if (link.path === successor) continue;
        const kind = await replaceWithLink({ path: link.path, target: successor });
        await registry.addFile({ ...registration(link, kind), stat: await stat(link.path), linkTarget: successor });
        report.repointed.push(link.path);
      }
      await registry.setCanonical(entry.sha256, successor);
    }
    await unlink(file).catch((error: unknown) => {
      // Moved into a link's place above, or already deleted by hand: nothing left to delete.
      if (errorCodeOf(error) !== 'ENOENT') throw error;
    });
    await registry.removeFile(file);
    await retarget(registry, file, report.newCanonical);
  });
  return report;
}

/** Registered symlinks of the same model that lead to `entry` (recorded as depending on it, or resolving to it). */
async function symlinksInto(registry: Registry, entry: Readonly<FileEntry>): Promise<Readonly<FileEntry>[]> {
  const real = await realpath(entry.path).catch(() => entry.path);
  const out: Readonly<FileEntry>[] = [];
  for (const other of registry.filesOf(entry.sha256)) {
    if (other.path === entry.path) continue;
    const info = await lstat(other.path).catch(() => undefined);
    if (!info?.isSymbolicLink()) continue;
    const target = await realpath(other.path).catch(() => undefined);
    if (other.link_target === entry.path || target === real) out.push(other);
  }
  return out;
}

/** Moves the file into its first link's place (same volume only): the bytes stay, under a name still in use. */
async function promote(
  registry: Registry,
  entry: Readonly<FileEntry>,
  dependents: readonly Readonly<FileEntry>[],
): Promise<string> {
  const fileDev = (await stat(entry.path)).dev;
  for (const link of dependents) {
    if ((await stat(path.dirname(link.path))).dev !== fileDev) continue;
    await rename(entry.path, link.path);
    await registry.addFile({ ...registration(link, 'file'), stat: await stat(link.path) });
    return link.path;
  }
  throw new DepotError(
    'CONFLICT',
    `${entry.path} holds the bytes of ${dependents.length} link(s) (${dependents.map((d) => d.path).join(', ')}), ` +
      'no other copy exists and none of the links is on the same volume; it was not removed. Remove the links first.',
    { details: { path: entry.path, links: dependents.map((d) => d.path) } },
  );
}

/** Hard links that recorded the removed file as their canonical one now depend on the new canonical file. */
async function retarget(registry: Registry, removed: string, successor: string | undefined): Promise<void> {
  for (const link of registry.linksTo(removed)) {
    const info = await stat(link.path).catch(() => undefined);
    await registry.addFile({
      ...registration(link, link.kind),
      ...(info && { stat: info }),
      ...(successor !== undefined && { linkTarget: successor }),
    });
  }
}

function registration(entry: Readonly<FileEntry>, kind: FileEntry['kind']) {
  return {
    path: entry.path,
    sha256: entry.sha256,
    kind,
    ...(entry.category === undefined ? {} : { category: entry.category }),
  };
}
