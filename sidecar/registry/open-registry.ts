import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DataFile } from 'lowdb/node';
import { DepotError } from '../../shared/errors';
import type { RegistryFile } from '../../shared/registry-schema';
import { hasErrorCode } from '../../shared/has-error-code';
import { loadRegistryFile } from './load-registry-file';
import { lockRegistry } from './lock-registry';
import { Registry } from './registry';

export interface OpenRegistryOptions {
  /** The models root; the registry lives in `<modelsRoot>/.registry/models.json`. */
  modelsRoot: string;
  /**
   * Read without taking the lock and never write (for `stats` and `list` while a sidecar runs). A corrupt file is
   * reported, not moved. Default false.
   */
  readOnly?: boolean;
  /**
   * When the file is corrupt, keep it aside as `models.json.corrupt-<time>` and start empty instead of throwing
   * REGISTRY_CORRUPT (what `migrate` does before rebuilding). With `readOnly`, the file stays where it is and the
   * registry starts empty in memory (`migrate --dry-run`). Default false.
   */
  recoverCorrupt?: boolean;
  /** After this long without a refresh, a lock left by a killed process is taken over. Default 4000 ms (min 2000). */
  lockStaleMs?: number;
  /** Called if the lock is taken over while this registry is open; changes are refused from then on. Default none. */
  onLockLost?: (error: Error) => void;
  /** Clock for `first_seen`, `added_at` and kept-aside names. Default `Date.now`. */
  now?: () => number;
}

/**
 * Opens the registry of a models root: takes the one-writer lock (REGISTRY_LOCKED when another model-depot holds
 * it), loads and validates `models.json` (REGISTRY_CORRUPT, the broken file kept aside), and returns a `Registry`.
 *
 * Writes go through lowdb's DataFile, whose writer (steno) writes `.models.json.tmp` and renames it over
 * `models.json`: a process killed mid-write leaves the previous file whole. There is no fsync, so a power cut may
 * still lose the last writes; a registry broken that way is set aside and rebuilt by `migrate`.
 */
export async function openRegistry(options: OpenRegistryOptions): Promise<Registry> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const registryDir = path.join(modelsRoot, '.registry');
  const file = path.join(registryDir, 'models.json');
  const now = options.now ?? Date.now;

  if (options.readOnly) {
    const { data } = await loadRegistryFile({ file, onCorrupt: options.recoverCorrupt ? 'ignore' : 'fail', now });
    return new Registry({ modelsRoot, file, data, now });
  }

  await mkdir(registryDir, { recursive: true }).catch((error: unknown) => {
    throw ioError(`Cannot create ${registryDir}`, error);
  });
  let registry: Registry | undefined;
  const lock = await lockRegistry({
    registryDir,
    modelsRoot,
    staleMs: options.lockStaleMs,
    onCompromised: (error) => {
      registry?.markLockLost(error);
      options.onLockLost?.(error);
    },
  });
  try {
    const { data, keptAside } = await loadRegistryFile({
      file,
      onCorrupt: options.recoverCorrupt ? 'recover' : 'set-aside',
      now,
    });
    const adapter = new DataFile<RegistryFile>(file, {
      parse: JSON.parse,
      stringify: (value) => `${JSON.stringify(value, null, 1)}\n`,
    });
    registry = new Registry({
      modelsRoot,
      file,
      data,
      now,
      keptAside,
      release: () => lock.release(),
      write: async (value) => {
        try {
          await adapter.write(value);
        } catch (error) {
          if (hasErrorCode(error, 'ENOSPC')) {
            throw new DepotError('DISK_FULL', `The disk holding ${file} is full; the registry was not saved.`, {
              cause: error,
            });
          }
          throw ioError(`Cannot write the registry ${file}`, error);
        }
      },
    });
    return registry;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function ioError(what: string, error: unknown): DepotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DepotError('IO', `${what}: ${reason}`, { cause: error });
}
