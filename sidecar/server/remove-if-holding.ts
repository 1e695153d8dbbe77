import { readFile, rm } from 'node:fs/promises';
import { hasErrorCode } from '../../shared/errors';

/**
 * Deletes `file` only while `ours(content)` says it still holds what this process wrote: a newer sidecar that wrote
 * its own over it keeps it. A file already gone is no error.
 */
export async function removeIfHolding(file: string, ours: (content: string) => boolean): Promise<void> {
  let held: string;
  try {
    held = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  if (ours(held)) await rm(file, { force: true });
}
