import type { CompareGroups, LocalFile, RemoteFile } from './compare-schema';

export interface CompareCollectionsOptions {
  /** The repository's files, already filtered. */
  remote: readonly RemoteFile[];
  /** The local models, already filtered. */
  local: readonly LocalFile[];
}

/**
 * Sorts every remote file into one of four groups, and finds the local models the repository lacks.
 * 1. same SHA-256 as any local model: matched, whatever the names;
 * 2. else the same name (case-insensitive, as on the Windows and macOS file systems most collections live on):
 *    mismatched when both sides have a SHA-256 (they differ, or rule 1 would have matched), else name-only;
 * 3. else missing.
 * A local name without extension (Lora-Manager's `file_name`) is compared with the remote file's stem.
 */
export function compareCollections({ remote, local }: CompareCollectionsOptions): CompareGroups {
  const bySha = new Map<string, LocalFile>();
  const byFullName = new Map<string, LocalFile[]>();
  const byStem = new Map<string, LocalFile[]>();
  for (const file of local) {
    if (file.sha256 !== null && !bySha.has(file.sha256)) bySha.set(file.sha256, file);
    const index = file.hasExtension ? byFullName : byStem;
    const key = file.name.toLowerCase();
    const list = index.get(key);
    if (list) list.push(file);
    else index.set(key, [file]);
  }

  const groups: CompareGroups = { matched: [], nameOnly: [], mismatched: [], missing: [], localOnly: [] };
  const used = new Set<LocalFile>();
  const usedSha = new Set<string>();
  for (const file of remote) {
    const sameSha = file.sha256 === null ? undefined : bySha.get(file.sha256);
    if (sameSha) {
      groups.matched.push({ remote: file, local: sameSha });
      usedSha.add(sameSha.sha256 ?? '');
      continue;
    }
    const baseName = baseNameOf(file.path).toLowerCase();
    const sameName = byFullName.get(baseName) ?? byStem.get(stemOf(baseName)) ?? [];
    if (sameName.length === 0) {
      groups.missing.push(file);
      continue;
    }
    for (const candidate of sameName) used.add(candidate);
    // Mismatched only when every same-named local file is provably different; an unhashed one might be the file.
    const unverified = file.sha256 === null ? sameName[0] : sameName.find((candidate) => candidate.sha256 === null);
    if (unverified) groups.nameOnly.push({ remote: file, local: unverified });
    else groups.mismatched.push({ remote: file, local: sameName[0] });
  }

  const seen = new Set<string>();
  for (const file of local) {
    if (used.has(file) || (file.sha256 !== null && usedSha.has(file.sha256))) continue;
    // Two JSON files may describe one model (Lora-Manager's and another tool's): list it once.
    const key = file.sha256 ?? `name:${file.name.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    groups.localOnly.push(file);
  }
  return groups;
}

/** The last segment of a path written with `/` or `\` (metadata from Windows carries backslashes). */
export function baseNameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
