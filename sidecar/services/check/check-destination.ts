import type { UnavailableCode } from '../../../shared/check-result';
import { isDepotError, errorCodeOf } from '../../../shared/errors';
import { dirname } from 'node:path';
import { assertStillInsideSync } from '../../disk/safe-path';

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

/** Judges the destinations of one check; see `checkDestinations`. */
export type DestinationJudge = (options: CheckDestinationOptions) => DestinationRefusal | undefined;

/** How a folder fared: inside the models root, a symlink leading out (or broken), or unreadable. */
type FolderVerdict = undefined | { details: Record<string, unknown> | undefined } | { errno: string };

/**
 * Why an install would refuse to write a destination that is not on disk yet, or undefined when it may write there.
 * The judge is the install's own last check before writing (`assertStillInside`, here its synchronous twin): it
 * resolves real paths, so a subfolder (or category folder) that is a symlink leading outside the models root is seen
 * here, and the check never offers a download or a link that the install would then refuse with UNSAFE_PATH.
 *
 * For a target that is not on disk the verdict depends on its folder alone, so one judge (one check) asks the disk
 * once per folder: a 50-model workflow in one folder costs one `lstat` and one `realpath`, not fifty of each. The
 * judge lives as long as the check: a folder swapped for a symlink afterwards is seen by the next check.
 */
export function checkDestinations(): DestinationJudge {
  const folders = new Map<string, FolderVerdict>();
  return ({ modelsRoot, target, targetPath }) => {
    const key = `${modelsRoot}\0${dirname(target)}`;
    if (!folders.has(key)) folders.set(key, folderVerdict(modelsRoot, target));
    const outcome = folders.get(key);
    if (outcome === undefined) return undefined;
    if ('errno' in outcome) {
      return {
        code: 'IO',
        reason: `${targetPath} cannot be installed: its folder cannot be examined (${outcome.errno}). Check the folder's permissions, then check again.`,
      };
    }
    return { code: 'UNSAFE_PATH', reason: unsafeReason(targetPath, outcome.details) };
  };
}

/**
 * `assertStillInside` on the first target of a folder, as a value the folder's other targets share. Synchronous, for
 * the reason given in check-target.ts.
 */
function folderVerdict(modelsRoot: string, target: string): FolderVerdict {
  try {
    assertStillInsideSync(modelsRoot, target);
    return undefined;
  } catch (error) {
    if (isDepotError(error) && error.code === 'UNSAFE_PATH') return { details: error.details };
    // An unreadable folder on the way (EACCES...) fails this item, as it would fail its install, not the whole check.
    const errno = errorCodeOf(error);
    if (errno === undefined) throw error;
    return { errno };
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
