import { errorCodeOf } from '../../../shared/errors';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { LinkSource } from './check-link-source';
import type { CheckRegistry } from './check-target';
import { checkSourceKind } from './check-source-kind';

export interface NamedSource {
  source: LinkSource;
  sha256: string;
  size: number;
}

/**
 * Finds registered files by their base name, for requirements that have nothing else: no SHA-256 and no URL (a
 * loader widget value). ComfyUI itself matches such models by name, so a same-named file in a hub folder or another
 * models folder is what the user means. The registry keeps files by name, so this costs O(files of that name)
 * however large the registry is.
 */
export class FindByName {
  constructor(
    private readonly registry: CheckRegistry,
    private readonly modelsRoot: string,
  ) {}

  /** A registered regular file named like `filename`, same category first, that is still on disk. */
  find(category: string, filename: string, target: string): NamedSource | undefined {
    const candidates = this.registry
      .filesNamed(path.posix.basename(filename))
      .filter((entry) => entry.path !== target && entry.kind !== 'symlink')
      .sort((a, b) => Number(b.category === category) - Number(a.category === category));
    for (const entry of candidates) {
      const model = this.registry.findBySha256(entry.sha256);
      if (!model || !isFileOfSize(entry.path, model.size)) continue;
      return {
        source: { path: entry.path, kind: checkSourceKind(entry, this.modelsRoot) },
        sha256: entry.sha256,
        size: model.size,
      };
    }
    return undefined;
  }
}

function isFileOfSize(file: string, size: number): boolean {
  try {
    const info = statSync(file, { throwIfNoEntry: false });
    return info?.isFile() === true && info.size === size;
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'ENOTDIR' || code === 'EACCES' || code === 'ELOOP') return false;
    throw error;
  }
}
