import type { FoundFile } from '../../disk/places/scan-model-places';
import type { FileKind } from '../../registry/registry-schema';

/** How a file found on disk is registered: by the place it was found in, else as a symlink or a plain file. */
export function foundFileKind(file: Pick<FoundFile, 'place' | 'isSymlink'>): FileKind {
  if (file.place === 'hub') return 'hub';
  if (file.place === 'hf-cache') return 'hf-cache';
  return file.isSymlink ? 'symlink' : 'file';
}
