import { hasErrorCode } from '../../../shared/errors';
import { readFile as fsReadFile } from 'node:fs/promises';
import type { LocalFile, LocalScanStats, MetadataCacheFile } from './compare-schema';
import { loadCompareCache, saveCompareCache } from './compare-cache-file';
import { parseLocalMetadata } from './parse-local-metadata';
import { walkLocalFiles, type WalkedFile } from './walk-local-files';
import { forEachLimited } from '../../runtime/for-each-limited';

export interface ReadLocalMetadataOptions {
  /** The folder to scan, recursively (absolute). */
  localDir: string;
  /** Use and update `.model-depot-compare-cache.json` in the folder (`--no-cache` turns it off). Default true. */
  useCache?: boolean;
  /** Reads one JSON file's text; injected by tests to count reads. Default: fs.readFile as UTF-8. */
  readFile?: (path: string) => Promise<string>;
  /** How many JSON files are read at once. Default 32. */
  concurrency?: number;
  /** Told when the cache could not be written (the run still succeeds). */
  onWarning?: (message: string) => void;
}

/** Lora-Manager files are a few KB; anything far larger is another tool's data, not read into memory. */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;

export interface LocalMetadataScan {
  files: LocalFile[];
  stats: LocalScanStats;
}

/**
 * The metadata mode: every `*.json` below the folder (`.metadata.json` included) that names a model. A JSON
 * file whose mtime and size are unchanged since the last run is answered from the cache without being read.
 */
export async function readLocalMetadata(options: ReadLocalMetadataOptions): Promise<LocalMetadataScan> {
  const { localDir, useCache = true, readFile = (path) => fsReadFile(path, 'utf8'), concurrency = 32 } = options;
  const previous: MetadataCacheFile = useCache ? await loadCompareCache(localDir) : { version: 1, entries: {} };
  const next: MetadataCacheFile = { version: 1, entries: {} };
  const stats: LocalScanStats = {
    mode: 'metadata',
    filesFound: 0,
    filesRead: 0,
    fromCache: 0,
    invalid: [],
    ignored: 0,
  };
  const toRead: WalkedFile[] = [];

  for await (const found of walkLocalFiles({
    root: localDir,
    include: (name) => name.toLowerCase().endsWith('.json'),
  })) {
    stats.filesFound++;
    const cached = previous.entries[found.relativePath];
    if (cached && cached.mtimeMs === found.stats.mtimeMs && cached.size === found.stats.size) {
      // The stored source is where the folder was last time; the folder may have moved since.
      next.entries[found.relativePath] = cached.local
        ? { ...cached, local: { ...cached.local, source: found.path } }
        : cached;
      stats.fromCache++;
    } else {
      toRead.push(found);
    }
  }

  await forEachLimited(toRead, concurrency, async (found) => {
    if (found.stats.size > MAX_METADATA_BYTES) {
      next.entries[found.relativePath] = {
        mtimeMs: found.stats.mtimeMs,
        size: found.stats.size,
        local: null,
        invalid: `too large for a metadata file (${found.stats.size} bytes); not read`,
      };
      return;
    }
    const text = await readFile(found.path).catch((error: unknown) => {
      // Deleted between the walk and the read: there is nothing left to compare.
      if (hasErrorCode(error, 'ENOENT')) return null;
      throw error;
    });
    if (text === null) return;
    const parsed = parseLocalMetadata(text, found.path);
    stats.filesRead++;
    next.entries[found.relativePath] = {
      mtimeMs: found.stats.mtimeMs,
      size: found.stats.size,
      local: parsed.kind === 'local' ? parsed.local : null,
      ...(parsed.kind === 'invalid' ? { invalid: parsed.reason } : {}),
    };
  });

  const files: LocalFile[] = [];
  for (const [relativePath, entry] of Object.entries(next.entries)) {
    if (entry.local) files.push(entry.local);
    else if (entry.invalid !== undefined) stats.invalid.push({ file: relativePath, reason: entry.invalid });
    else stats.ignored++;
  }
  stats.invalid.sort((a, b) => a.file.localeCompare(b.file));

  const changed = toRead.length > 0 || Object.keys(previous.entries).length !== Object.keys(next.entries).length;
  if (useCache && changed && !(await saveCompareCache(localDir, next))) {
    options.onWarning?.(
      `the cache could not be written in ${localDir} (read-only?): the next run reads every file again`,
    );
  }
  return { files, stats };
}
