import { lstat } from 'node:fs/promises';
import { errorCodeOf } from '../../../shared/errors';
import type { Registry } from '../../registry/registry';
import { type VerifyFileDeps, verifyRegisteredFile } from './verify-registered-file';

/**
 * A registered real file (not a symlink) of `sha256` whose bytes are still that model's, other than `except`: the
 * copy that can take over a canonical role or receive re-pointed links. Undefined when none is left.
 */
export async function findVerifiedCopy(
  registry: Pick<Registry, 'filesOf'>,
  sha256: string,
  except: ReadonlySet<string>,
  deps: VerifyFileDeps,
): Promise<string | undefined> {
  for (const entry of registry.filesOf(sha256)) {
    if (except.has(entry.path) || entry.kind === 'hf-cache') continue;
    if (!(await isRealFile(entry.path))) continue;
    const verified = await verifyRegisteredFile(entry, deps);
    if (verified.state === 'ok' && verified.sha256 === sha256) return entry.path;
  }
  return undefined;
}

async function isRealFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return false;
    throw error;
  }
}
