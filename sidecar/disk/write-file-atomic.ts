import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WriteFileAtomicOptions {
  /** fsync the temporary file before the rename, so a power cut cannot leave an empty file under the name. Default false. */
  flush?: boolean;
}

/**
 * Writes `text` to a unique temporary file beside `file` (its folder created if need be), then renames it over
 * `file`: a crash or a concurrent writer leaves the old content or the new one, never half of one. The temporary
 * file is removed when anything fails, and the error is rethrown as it is.
 */
export async function writeFileAtomic(file: string, text: string, options: WriteFileAtomicOptions = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // pid + random: two processes (or two writers in one) never share a temporary name.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { flush: options.flush ?? false });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
