import { inspectTarget, type CheckHashCache, type CheckRegistry, type TargetState } from './check-target';

export interface FindElsewhereOptions {
  /** Paths ComfyUI would also find the model at, in its search order (`resolveModelPlaces`'s `elsewhere`). */
  places: readonly string[];
  /** The SHA-256 the workflow expects; without one, a file of the right name is the model (as for ComfyUI). */
  sha256?: string;
  /** The size the workflow expects, when it gives one: a file of another size is not hashed. */
  size?: number;
  registry: CheckRegistry;
  hashCache?: CheckHashCache;
  /** Hashes a file nothing records yet (the check's one-at-a-time hashing). */
  hash: (file: Extract<TargetState, { kind: 'file' }>) => Promise<{ sha256: string } | { error: string }>;
}

export interface FoundElsewhere {
  path: string;
  size: number;
  sha256?: string;
}

/**
 * The first copy of the model in another folder ComfyUI searches: looked up by name (one stat per place, no index of
 * possibly hundreds of GB), and hashed only when the workflow gives a SHA-256 that neither the registry nor the hash
 * cache knows for that file. A same-named file with other content is passed over: the install writes the model
 * into the folder ComfyUI searches first, where it shadows that file.
 */
export async function findElsewhere(options: FindElsewhereOptions): Promise<FoundElsewhere | undefined> {
  for (const place of options.places) {
    const state = inspectTarget(place, options.registry, options.hashCache);
    if (state.kind !== 'file') continue;
    const size = state.identity.size;
    if (options.sha256 === undefined) return { path: place, size, ...(state.sha256 && { sha256: state.sha256 }) };
    let actual = state.sha256;
    if (actual === undefined && options.size !== undefined && options.size !== size) continue;
    if (actual === undefined) {
      const hashed = await options.hash(state);
      if ('error' in hashed) continue;
      actual = hashed.sha256;
    }
    if (actual === options.sha256) return { path: place, size, sha256: actual };
  }
  return undefined;
}
