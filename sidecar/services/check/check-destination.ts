import type { UnavailableCode } from '../../../shared/check-result';
import { isDepotError, errorCodeOf } from '../../../shared/errors';
import { assertStillInside } from '../../disk/safe-path';

export interface CheckDestinationOptions {
  /** The models root, absolute. */
  modelsRoot: string;
  /** The absolute destination, as `resolveModelPath` gave it (lexically safe already). */
  target: string;
  /** `<category>/<filename>`, relative to the models root, named in the reason. */
  targetPath: string;
}

export interface DestinationRefusal {
  code: Extract<UnavailableCode, 'UNSAFE_PATH' | 'IO'>;
  /** What is wrong and what to do, for a person. */
  reason: string;
}

/**
 * Why an install would refuse to write a destination that is not on disk yet, or undefined when it may write there.
 * The judge is the install's own last check before writing (`assertStillInside`): it resolves real paths, so a
 * subfolder (or category folder) that is a symlink leading outside the models root is seen here, and the check never
 * offers a download or a link that the install would then refuse with UNSAFE_PATH.
 */
export async function checkDestination({
  modelsRoot,
  target,
  targetPath,
}: CheckDestinationOptions): Promise<DestinationRefusal | undefined> {
  try {
    await assertStillInside(modelsRoot, target);
    return undefined;
  } catch (error) {
    if (isDepotError(error) && error.code === 'UNSAFE_PATH')
      return { code: 'UNSAFE_PATH', reason: unsafeReason(targetPath, error.details) };
    // An unreadable folder on the way (EACCES...) fails this item, as it would fail its install, not the whole check.
    const errno = errorCodeOf(error);
    if (errno === undefined) throw error;
    return {
      code: 'IO',
      reason: `${targetPath} cannot be installed: its folder cannot be examined (${errno}). Check the folder's permissions, then check again.`,
    };
  }
}

function unsafeReason(targetPath: string, details: Record<string, unknown> | undefined): string {
  const realPath = details?.realPath;
  if (typeof realPath === 'string') {
    // JSON-quoted: a folder name on disk may hold characters that must not reach a terminal raw.
    return (
      `${targetPath} cannot be installed: its folder resolves to ${JSON.stringify(realPath)}, outside the models root ` +
      `(a symlinked folder), and model-depot never writes outside the models root. Put the file there yourself, or ` +
      `replace the symlink with a real folder, then check again.`
    );
  }
  return (
    `${targetPath} cannot be installed: a folder on its path is a broken or looping symlink. ` +
    `Fix or remove that symlink, then check again.`
  );
}
