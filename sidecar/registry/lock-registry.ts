import { unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { readValidJsonFile } from '../disk/read-valid-json-file';
import { zRegistryLockOwner, type RegistryLockOwner } from './registry-schema';

/** A held registry lock. */
export interface RegistryLock {
  /** Releases the lock (and forgets the owner file). Safe to call twice. */
  release(): Promise<void>;
}

export interface LockRegistryOptions {
  /** The `.registry` folder to lock; it must exist. */
  registryDir: string;
  /** The models root, named in the REGISTRY_LOCKED message. */
  modelsRoot: string;
  /**
   * A lock its holder stopped refreshing this long ago belongs to a dead process (SIGKILL, power loss) and is taken
   * over. The holder refreshes it every second, so only an event loop blocked this long could lose it.
   * Default 4000 ms; proper-lockfile's floor is 2000 ms.
   */
  staleMs?: number;
  /** Called when a held lock was taken over by someone else (default: ignore; writes then go on unprotected). */
  onCompromised?: (error: Error) => void;
}

export const DEFAULT_LOCK_STALE_MS = 4000;
const LOCK_DIR_NAME = 'lock';
const OWNER_FILE_NAME = 'lock-owner.json';
const POLL_MS = 250;

/**
 * Takes the one-writer lock of a models root, with proper-lockfile (an atomic `mkdir` of `.registry/lock`, whose
 * mtime the holder refreshes every second).
 *
 * A second live model-depot gets REGISTRY_LOCKED at once when the owner file names a live process on this host.
 * When the holder is gone (killed with SIGKILL, so nothing removed the lock), the lock stops being refreshed: this
 * waits until it is `staleMs` old and takes it over, so a restarted sidecar opens within a few seconds.
 */
export async function lockRegistry(options: LockRegistryOptions): Promise<RegistryLock> {
  const staleMs = Math.max(options.staleMs ?? DEFAULT_LOCK_STALE_MS, 2000);
  const lockPath = path.join(options.registryDir, LOCK_DIR_NAME);
  const ownerPath = path.join(options.registryDir, OWNER_FILE_NAME);
  const baseOptions = {
    lockfilePath: lockPath,
    stale: staleMs,
    update: 1000,
    realpath: false,
    onCompromised: options.onCompromised ?? (() => {}),
  };

  // Time-based, not a retry count: on a loaded machine the polls themselves may run late.
  const deadline = Date.now() + staleMs + 2000;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(options.registryDir, baseOptions);
      break;
    } catch (error) {
      if (!isLockedError(error)) throw wrapIo(error, lockPath);
      const owner = await readOwner(ownerPath);
      if ((owner && isAlive(owner)) || Date.now() > deadline) throw lockedError(options.modelsRoot, owner);
      // The holder looks dead (or has not written its owner file yet): wait for the lock to go stale.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  const owner: RegistryLockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  await writeFile(ownerPath, `${JSON.stringify(owner)}\n`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await unlink(ownerPath).catch((error: unknown) => {
        if (!hasErrorCode(error, 'ENOENT')) throw error;
      });
      await release().catch((error: unknown) => {
        // ERELEASED: the lock was already taken over (compromised); nothing left to release.
        if (!hasErrorCode(error, 'ERELEASED')) throw error;
      });
    },
  };
}

function lockedError(modelsRoot: string, owner: RegistryLockOwner | undefined): DepotError {
  const who = owner ? `pid ${owner.pid}${owner.hostname === hostname() ? '' : ` on ${owner.hostname}`}` : 'pid unknown';
  return new DepotError(
    'REGISTRY_LOCKED',
    `Another model-depot is using ${modelsRoot} (${who}); stop it or use --models to pick another folder.`,
    { details: { modelsRoot, pid: owner?.pid } },
  );
}

function readOwner(ownerPath: string): Promise<RegistryLockOwner | undefined> {
  // A half-written owner file (its writer was killed mid-write) names nobody.
  return readValidJsonFile(ownerPath, zRegistryLockOwner);
}

/** A process on this host that still exists; a process on another host is assumed alive (we cannot ask). */
function isAlive(owner: RegistryLockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return hasErrorCode(error, 'EPERM');
  }
}

function isLockedError(error: unknown): boolean {
  return hasErrorCode(error, 'ELOCKED');
}

function wrapIo(error: unknown, lockPath: string): DepotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DepotError('IO', `Cannot lock the registry at ${lockPath}: ${reason}`, { cause: error });
}
