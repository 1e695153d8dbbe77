import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { DepotError, hasErrorCode } from '../../shared/errors';
import path from 'node:path';
import { createRegistryStore } from './create-registry-store';
import { loadRegistryFile } from './load-registry-file';
import { Registry } from './registry';
import { registryIoError } from './registry-io-error';

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
 * Writes go through a durable lowdb adapter (`createRegistryStore`): a temporary file, fsynced, renamed over
 * `models.json`, then the folder fsynced. A process killed mid-write leaves the previous file whole, and a write that
 * resolved survives a power cut. A registry broken anyway (a failing disk) is set aside and rebuilt by `migrate`.
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

  await mkdir(registryDir, { recursive: true }).catch(async (error: unknown) => {
    throw (await unwritableRoot(modelsRoot, error)) ?? registryIoError(`Cannot create ${registryDir}`, error);
  });
  let registry: Registry | undefined;
  // Loaded here: a read-only open (`stats`, `list`, `check`) starts without the lock library.
  const { lockRegistry } = await import('./lock-registry');
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
    const store = await createRegistryStore({ file });
    registry = new Registry({
      modelsRoot,
      file,
      data,
      now,
      keptAside,
      release: () => lock.release(),
      write: (value) => store.write(value),
    });
    return registry;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * A models folder that exists but cannot be written (a read-only mount, another user's folder): said in one line.
 * Node's recursive mkdir reports ENOENT on a read-only file system, which would send a person looking for a
 * missing folder.
 */
async function unwritableRoot(modelsRoot: string, cause: unknown): Promise<DepotError | undefined> {
  try {
    await access(modelsRoot, constants.W_OK);
    return undefined;
  } catch (error) {
    if (!hasErrorCode(error, 'EROFS') && !hasErrorCode(error, 'EACCES') && !hasErrorCode(error, 'EPERM'))
      return undefined;
    const why = hasErrorCode(error, 'EROFS') ? 'is on a read-only file system' : 'is not writable by this user';
    return new DepotError(
      'IO',
      `The models folder ${modelsRoot} ${why}: model-depot keeps its registry in it. Make it writable, or use --models DIR.`,
      { cause },
    );
  }
}
