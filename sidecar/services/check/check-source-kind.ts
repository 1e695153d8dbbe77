import path from 'node:path';
import type { CheckItem } from '../../../shared/check-result';
import type { FileEntry } from '../../registry/registry-schema';

/** Where a link source lives, as the check result names it. */
export function checkSourceKind(
  entry: Pick<FileEntry, 'kind' | 'path'>,
  modelsRoot: string,
): NonNullable<CheckItem['source']>['kind'] {
  if (entry.kind === 'hub' || entry.kind === 'hf-cache') return entry.kind;
  const rel = path.relative(modelsRoot, entry.path);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? 'models' : 'registry';
}
