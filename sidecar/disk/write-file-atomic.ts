import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WriteFileAtomicOptions {
  /** fsync the temporary file before the rename, so a power cut cannot leave an empty file under the name. Default false. */
  flush?: boolean;
  /**
   * Permission bits of the file (e.g. 0o600 for a secret), set when the temporary file is created, so its content is
   * never readable by others, not even for a moment. Default 0o666 less the umask.
   */
  mode?: number;
}

/**
 * Writes `text` to a unique temporary file beside `file` (its folder created if need be), then renames it over
 * `file`: a crash or a concurrent writer leaves the old content or the new one, never half of one. The temporary
 * file is removed when anything fails, and the error is rethrown as it is.
 */
export async function writeFileAtomic(file: string, text: string, options: WriteFileAtomicOptions = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Loaded on the first write: the read-only commands (stats, check) start without node:crypto, 3 ms of a start.
  const { randomBytes } = await import('node:crypto');
  // pid + random: two processes (or two writers in one) never share a temporary name.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // 'wx': never write through a file or link someone put under the temporary name.
    await writeFile(temporary, text, { flush: options.flush ?? false, mode: options.mode, flag: 'wx' });
    // The umask may have taken bits the caller asked for: the file gets exactly `mode`.
    if (options.mode !== undefined) await chmod(temporary, options.mode);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
