import { randomBytes } from 'node:crypto';
import { link, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { DepotError, errorCodeOf } from '../../shared/errors';
import { fileOperationError } from './file-operation-error';
import { type FileIdentity, fileIdentity, sameFileIdentity } from './hashing/file-identity';

export interface ReplaceWithLinkOptions {
  /** The name to replace (a copy of `target`, or a symlink to re-point). */
  path: string;
  /** The canonical file the new link leads to. */
  target: string;
  /** Try a relative symlink first; default true. */
  allowSymlink?: boolean;
  /** Try a hard link when a symlink is refused (same volume only); default true. */
  allowHardlink?: boolean;
  /**
   * What `path` must still be (stat, symlinks followed) right before the rename: a file that changed since it was
   * verified is left alone (FILE_CHANGED). Default: not checked (re-pointing a broken symlink).
   */
  expect?: FileIdentity;
}

/** Errors meaning "this kind of link is not possible here", as opposed to a real failure. */
const LINK_REFUSED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL', 'EXDEV', 'EMLINK']);

/**
 * Replaces `path` by a link to `target` without a moment where the name is missing: the link is made under a
 * temporary name beside it, then renamed over it (atomic on POSIX). A RELATIVE symlink first (it survives moving
 * both folders together), else a hard link; never a copy, since the point is to give space back. Whatever fails,
 * the temporary name is removed and `path` keeps its bytes.
 */
export async function replaceWithLink(options: ReplaceWithLinkOptions): Promise<'symlink' | 'hardlink'> {
  const { path, target, allowSymlink = true, allowHardlink = true } = options;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.link.tmp`);
  try {
    const kind = await makeLink(temp, path, target, { allowSymlink, allowHardlink });
    if (options.expect !== undefined) {
      const now = fileIdentity(await stat(path));
      if (!sameFileIdentity(now, options.expect)) {
        throw new DepotError('FILE_CHANGED', `${path} changed since it was verified; it was left as it is.`, {
          details: { path },
        });
      }
    }
    await rename(temp, path);
    return kind;
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof DepotError) throw error;
    throw fileOperationError({
      what: `Cannot replace ${path} by a link to ${target}`,
      error,
      details: { path, target, errno: errorCodeOf(error) },
      after: '; it was left as it is.',
    });
  }
}

async function makeLink(
  temp: string,
  path: string,
  target: string,
  kinds: { allowSymlink: boolean; allowHardlink: boolean },
): Promise<'symlink' | 'hardlink'> {
  let refusal: unknown;
  if (kinds.allowSymlink) {
    try {
      await symlink(relative(dirname(resolve(path)), resolve(target)), temp, 'file');
      return 'symlink';
    } catch (error) {
      if (!LINK_REFUSED.has(errorCodeOf(error) ?? '')) throw error;
      refusal = error;
    }
  }
  if (kinds.allowHardlink) {
    await link(target, temp);
    return 'hardlink';
  }
  throw new DepotError('CONFLICT', `${path}: no kind of link is allowed or possible here; it was left as it is.`, {
    details: { path, target },
    cause: refusal,
  });
}
