import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { zMetadataCacheFile, type MetadataCacheFile, type RemoteFacts } from '../hub/hub-schemas';
import { urlWithoutCredentials } from '../../../shared/url-without-credentials';
import { readValidJsonFile } from '../../disk/read-valid-json-file';
import { writeFileAtomic } from '../../disk/write-file-atomic';

export interface OpenMetadataCacheOptions {
  /** The models root; the cache lives at `<modelsRoot>/.cache/metadata.json`. */
  modelsRoot?: string;
  /** Another file (wins over modelsRoot). */
  file?: string;
  /** How long an answer is trusted; default 7 days (a file at a revision rarely changes; branches do). */
  ttlMs?: number;
  /** How long "no such file" is trusted; default 1 hour (it may be uploaded soon). */
  missingTtlMs?: number;
  /** Current time in ms; default Date.now. */
  now?: () => number;
}

export interface MetadataCache {
  readonly file: string;
  /** Cached answer: facts, null for "the host has no such file", undefined when not cached or expired. */
  get(url: string): RemoteFacts | null | undefined;
  /** Stores an answer and writes the file (atomically). */
  set(url: string, facts: RemoteFacts | null): Promise<void>;
  /** The cached answer, else `ask()`'s, stored; concurrent look-ups of one URL share one `ask()`. Errors are not cached. */
  lookup(url: string, ask: () => Promise<RemoteFacts | null>): Promise<RemoteFacts | null>;
  /** Forgets every answer and deletes the file (the terminal UI's `r`, reset cache). */
  reset(): Promise<void>;
  readonly size: number;
}

/**
 * The key of a URL: no user info, no fragment, no credential or signature parameter (a `?token=` must never reach a
 * file), the other parameters sorted (Civitai's `?type=&format=` pick a file, so they stay).
 */
export function metadataCacheKey(url: string): string {
  const clean = urlWithoutCredentials(url);
  if (clean === undefined) return url;
  const parsed = new URL(clean);
  parsed.hash = '';
  parsed.searchParams.sort();
  return parsed.toString();
}

/**
 * Opens (or starts) the persisted metadata cache: HEAD/API answers by URL, so a second `check` of a workflow asks
 * the hosts nothing. A file that cannot be read as a cache is ignored (it is only a cache) and replaced on write.
 */
export async function openMetadataCache(options: OpenMetadataCacheOptions): Promise<MetadataCache> {
  const file = options.file ?? join(options.modelsRoot ?? '.', '.cache', 'metadata.json');
  const ttlMs = options.ttlMs ?? 7 * 24 * 3600_000;
  const missingTtlMs = options.missingTtlMs ?? 3600_000;
  const now = options.now ?? Date.now;
  let data: MetadataCacheFile = await load(file);
  const inFlight = new Map<string, Promise<RemoteFacts | null>>();
  let writing: Promise<void> = Promise.resolve();

  const persist = (): Promise<void> => {
    // Writes are chained so that two sets never interleave; each writes the latest state.
    writing = writing.then(() => writeFileAtomic(file, JSON.stringify(data)));
    return writing;
  };

  const cache: MetadataCache = {
    file,
    get(url) {
      const entry = data.entries[metadataCacheKey(url)];
      if (entry === undefined) return undefined;
      const age = now() - entry.fetchedAt;
      if (age > (entry.facts === null ? missingTtlMs : ttlMs) || age < 0) return undefined;
      return entry.facts;
    },
    async set(url, facts) {
      data.entries[metadataCacheKey(url)] = { fetchedAt: now(), facts };
      await persist();
    },
    async lookup(url, ask) {
      const cached = cache.get(url);
      if (cached !== undefined) return cached;
      const key = metadataCacheKey(url);
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = ask().then(async (facts) => {
          await cache.set(url, facts);
          return facts;
        });
        pending.then(
          () => inFlight.delete(key),
          () => inFlight.delete(key),
        );
        inFlight.set(key, pending);
      }
      return pending;
    },
    async reset() {
      data = { version: 1, entries: {} };
      await writing;
      await rm(file, { force: true });
    },
    get size() {
      return Object.keys(data.entries).length;
    },
  };
  return cache;
}

async function load(file: string): Promise<MetadataCacheFile> {
  return (await readValidJsonFile(file, zMetadataCacheFile)) ?? { version: 1, entries: {} };
}
