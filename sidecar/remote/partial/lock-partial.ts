import lockfile from 'proper-lockfile';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import type { PartialPaths } from './resume-state';

export interface LockPartialOptions {
  /** The file name, for the message. */
  name: string;
  /**
   * A lock not refreshed for this long belongs to a dead process (SIGKILL, power loss) and is taken over; the holder
   * refreshes it every second. Default 3000 ms (proper-lockfile's floor is 2000 ms).
   */
  staleMs?: number;
}

/**
 * Takes the lock of one partial download (`<key>.part.lock`, an atomic `mkdir` by proper-lockfile), so that two
 * model-depot processes sharing a models folder (a sidecar and `compare --download`, say) never append to the same
 * partial file. A lock left by a killed process goes stale and is taken over after `staleMs`; a live holder keeps
 * it fresh, and the second download fails with DOWNLOAD_LOCKED. Returns the release function.
 */
export async function lockPartial(paths: PartialPaths, options: LockPartialOptions): Promise<() => Promise<void>> {
  const staleMs = Math.max(options.staleMs ?? 3000, 2000);
  try {
    const release = await lockfile.lock(paths.part, {
      lockfilePath: `${paths.part}.lock`,
      realpath: false,
      stale: staleMs,
      update: 1000,
      // Poll for a bit longer than a dead holder's lock takes to go stale.
      retries: { retries: Math.ceil((staleMs + 1000) / 250), minTimeout: 250, maxTimeout: 250, factor: 1 },
      // Taken over while held (an event loop blocked for seconds): the download goes on; its hash still guards it.
      onCompromised: () => {},
    });
    return async () => {
      await release().catch((error: unknown) => {
        if (!hasErrorCode(error, 'ERELEASED')) throw error;
      });
    };
  } catch (error) {
    if (!hasErrorCode(error, 'ELOCKED')) throw error;
    throw new DepotError(
      'DOWNLOAD_LOCKED',
      `${options.name}: another model-depot process is downloading this file into the same folder. Let it finish ` +
        `(or stop it), then try again: the partial download is kept.`,
    );
  }
}
