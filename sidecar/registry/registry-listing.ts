import type { ModelListing, RegistryStats } from './registry-schema';
import type { RegistryIndex } from './registry-index';

/** The registry's figures: models, aliases (files that are not their model's canonical file) and total GiB. */
export function registryStats(index: RegistryIndex): RegistryStats {
  let totalBytes = 0;
  let aliasCount = 0;
  const models = Object.values(index.data.models);
  for (const model of models) {
    totalBytes += model.size;
    const count = index.pathsOf(model.sha256).size;
    aliasCount += model.file_path === null ? count : Math.max(count - 1, 0);
  }
  return {
    model_count: models.length,
    alias_count: aliasCount,
    total_size_gb: Math.round((totalBytes / 1024 ** 3) * 100) / 100,
  };
}

/** Every model with its aliases, sorted by category then canonical path. */
export function registryListing(index: RegistryIndex): ModelListing[] {
  const rows = Object.values(index.data.models).map((model) => ({
    sha256: model.sha256,
    size: model.size,
    category: model.category,
    file_path: model.file_path,
    aliases: [...index.pathsOf(model.sha256)].filter((p) => p !== model.file_path),
    sources: [...model.sources],
  }));
  return rows.sort(
    (a, b) =>
      (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') ||
      (a.file_path ?? '').localeCompare(b.file_path ?? ''),
  );
}
