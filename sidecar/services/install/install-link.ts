import { mkdir, stat } from 'node:fs/promises';
import type { CheckItem } from '../../../shared/check-result';
import { DepotError } from '../../../shared/errors';
import type { FileKind } from '../../registry/registry-schema';
import { linkFile } from '../../disk/link-file';
import { resolveModelPlaces } from '../../disk/places/resolve-model-places';
import { assertStillInside } from '../../disk/safe-path';
import type { InstallDeps } from './install-deps';

const KIND_OF_SOURCE: Record<NonNullable<CheckItem['source']>['kind'], FileKind> = {
  models: 'file',
  registry: 'file',
  hub: 'hub',
  'hf-cache': 'hf-cache',
};

/**
 * Gives `item` its wanted name by linking the copy at `sourcePath` (a relative symlink, else a hard link, else a copy)
 * and registers the new name as an alias of the model.
 */
export async function linkItem(
  deps: InstallDeps,
  jobId: string,
  item: CheckItem,
  sourcePath: string,
  sourceKind: FileKind,
): Promise<void> {
  const { board, registry } = deps;
  const sha256 = item.sha256;
  if (sha256 === undefined) {
    throw new DepotError('IO', `${item.targetPath}: no SHA-256 known for the copy to link; run check again.`);
  }
  board.update(jobId, { state: 'linking' });
  const { target: dest, root } = resolveModelPlaces({
    modelsRoot: deps.modelsRoot,
    extraDirs: deps.extraDirs,
    category: item.requirement.category,
    filename: item.requirement.filename,
  });
  // An is_default root of extra_model_paths.yaml may not exist yet; the models root always does.
  await mkdir(root, { recursive: true });
  await assertStillInside(root, dest);
  const kind = await linkFile({ source: sourcePath, dest, ...deps.linkOptions });
  const sourceStat = await stat(sourcePath);
  const destStat = await stat(dest);
  await registry.batch(async () => {
    const category = item.requirement.category;
    if (!registry.findByPath(sourcePath)) {
      await registry.addFile({ path: sourcePath, sha256, kind: sourceKind, stat: sourceStat, category });
    }
    await registry.addFile({ path: dest, sha256, kind, category, stat: destStat });
  });
  board.update(jobId, { state: 'linked', linkKind: kind, bytes: sourceStat.size, total: sourceStat.size });
}

/** The link source of a linkable item, as the check found it. */
export function linkSourceOf(item: CheckItem): { path: string; kind: FileKind } | undefined {
  return item.source ? { path: item.source.path, kind: KIND_OF_SOURCE[item.source.kind] } : undefined;
}
