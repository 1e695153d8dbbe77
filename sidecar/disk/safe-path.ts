import { lstatSync, realpathSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { modelFolderPath } from '../../shared/model-folder-path';
import { hasModelExtension, MODEL_EXTENSIONS } from '../../shared/model-folders';
import { BIDI_CONTROLS, CONTROL_CHARACTERS } from '../../shared/model-name-problem';

export interface ResolveModelPathOptions {
  /** The models root (absolute or relative to the working directory). */
  modelsRoot: string;
  /**
   * The folder under the models root: a ComfyUI folder or legacy alias (`checkpoints`, `unet`), a custom node's
   * (`ipadapter`, `ultralytics/bbox`), or one with subfolders (`controlnet/SDXL`); an unsafe one is refused.
   */
  category: string;
  /** The file name, possibly with subfolders separated by `/` (`flux/dev.safetensors`). */
  filename: string;
}

/** Longest file name segment most file systems accept, in UTF-8 bytes. */
const MAX_SEGMENT_BYTES = 255;
/** Longest relative name we accept; well under Linux PATH_MAX (4096) and Windows long-path limits. */
const MAX_NAME_BYTES = 1024;
/** Characters Windows forbids in names, plus `:` (drive letters, alternate data streams). */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * The absolute path of a model inside its folder, or DepotError('UNSAFE_PATH') saying what is wrong.
 * Names come from workflows (untrusted), so the rules are strict: the folder must be a safe path under the models
 * root (see `modelFolderPath`); the name may have subfolders but no `..`, `.`, hidden or empty segments, no
 * absolute path, drive letter, backslash, control or bidirectional control character or Windows-forbidden
 * character, no over-long segment, and a model extension.
 * Lexical only: call assertStillInside right before writing to catch symlinked parents.
 */
export function resolveModelPath({ modelsRoot, category, filename }: ResolveModelPathOptions): string {
  const folder = modelFolderPath(category);
  if ('problem' in folder) {
    throw unsafe(
      `"${printable(category)}" is not a model folder. ${capitalized(folder.problem)}; use a folder under the ` +
        'models root such as checkpoints, loras, ipadapter or controlnet/SDXL.',
      { category },
    );
  }
  const problem = filenameProblem(filename);
  if (problem)
    throw unsafe(`"${printable(filename)}" is refused as a model file name: ${problem}.`, { category, filename });
  const root = resolve(modelsRoot);
  const base = join(root, folder.category, ...folder.subfolders);
  const target = join(base, ...filename.split('/'));
  // The models root's own folder (MODELS_ROOT_FOLDER) is the root itself; every other folder is strictly inside it.
  if ((base !== root && !isInside(root, base)) || !isInside(base, target)) {
    throw unsafe(`"${printable(filename)}" would leave the ${folder.category} folder.`, { category, filename });
  }
  return target;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function filenameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (CONTROL_CHARACTERS.test(name)) return 'it contains a control character (NUL, newline, tab...)';
  if (BIDI_CONTROLS.test(name)) return 'it contains a bidirectional text control character (such as U+202E)';
  if (name.includes('\\')) return 'it contains a backslash; separate subfolders with "/"';
  if (name.startsWith('/') || isAbsolute(name)) return 'it is an absolute path; give a name inside the folder';
  if (/^[a-zA-Z]:/.test(name)) return 'it starts with a drive letter';
  if (WINDOWS_FORBIDDEN.test(name)) return 'it contains one of < > : " | ? *';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `it is longer than ${MAX_NAME_BYTES} bytes`;
  for (const segment of name.split('/')) {
    if (segment === '') return 'it has an empty path segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `it contains "${segment}" as a path segment`;
    if (segment.startsWith('.')) return `"${printable(segment)}" is a hidden name (starts with a dot)`;
    if (segment.endsWith('.') || segment.endsWith(' ')) return `"${printable(segment)}" ends with a dot or a space`;
    if (segment !== segment.trimStart()) return `"${printable(segment)}" starts with a space`;
    if (WINDOWS_RESERVED.test(segment)) return `"${segment}" is a reserved device name on Windows`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  if (!hasModelExtension(name)) return `it does not end with a model extension (${MODEL_EXTENSIONS.join(' ')})`;
  return undefined;
}

/**
 * Refuses `absPath` unless it is inside `modelsRoot` after resolving real paths: the nearest existing parent is
 * resolved (a symlinked subfolder pointing outside is refused), and an existing entry at `absPath` must resolve
 * inside too. Call it right before writing, after any mkdir, to keep the check-to-write window small.
 */
export async function assertStillInside(modelsRoot: string, absPath: string): Promise<void> {
  const { root, target } = lexicallyInside(modelsRoot, absPath);
  const realRoot = await realpath(root);
  const existing = await existingEntry(target);
  if (existing === 'broken-symlink') throw brokenSymlink(target);
  const probe = existing === 'present' ? target : await nearestExistingParent(dirname(target), root);
  let real: string;
  try {
    real = await realpath(probe);
  } catch (error) {
    throw refusedRealpath(error, target);
  }
  assertRealInside(realRoot, real, target);
}

/**
 * `assertStillInside` with synchronous calls, for the check: it judges a few folders, each a few microseconds on a
 * local disk, and async calls would queue behind downloads' writes in libuv's thread pool.
 */
export function assertStillInsideSync(modelsRoot: string, absPath: string): void {
  const { root, target } = lexicallyInside(modelsRoot, absPath);
  const realRoot = realpathSync(root);
  const existing = existingEntrySync(target);
  if (existing === 'broken-symlink') throw brokenSymlink(target);
  let probe = target;
  if (existing === 'absent') {
    probe = dirname(target);
    while (existingEntrySync(probe) === 'absent' && probe !== root && dirname(probe) !== probe) probe = dirname(probe);
  }
  let real: string;
  try {
    real = realpathSync(probe);
  } catch (error) {
    throw refusedRealpath(error, target);
  }
  assertRealInside(realRoot, real, target);
}

function lexicallyInside(modelsRoot: string, absPath: string): { root: string; target: string } {
  const root = resolve(modelsRoot);
  const target = resolve(absPath);
  if (!isInside(root, target)) {
    throw unsafe(`${printable(target)} is outside the models root ${root}.`, { path: target });
  }
  return { root, target };
}

function assertRealInside(realRoot: string, real: string, target: string): void {
  if (real !== realRoot && !isInside(realRoot, real)) {
    throw unsafe(
      `${printable(target)} resolves to ${printable(real)}, outside the models root ${realRoot} (a symlinked folder?). Nothing was written.`,
      { path: target, realPath: real },
    );
  }
}

function brokenSymlink(target: string): DepotError {
  return unsafe(`${printable(target)} is a symlink to nothing; remove it before writing there.`, { path: target });
}

function refusedRealpath(error: unknown, target: string): unknown {
  if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ELOOP')) {
    return unsafe(`${printable(target)}: a parent folder is a broken or looping symlink. Nothing was written.`, {
      path: target,
    });
  }
  return error;
}

type Entry = 'absent' | 'present' | 'broken-symlink';

async function existingEntry(path: string): Promise<Entry> {
  try {
    const info = await lstat(path);
    if (!info.isSymbolicLink()) return 'present';
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) return 'absent';
    throw error;
  }
  try {
    await realpath(path);
    return 'present';
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ELOOP')) return 'broken-symlink';
    throw error;
  }
}

function existingEntrySync(path: string): Entry {
  let info: ReturnType<typeof lstatSync>;
  try {
    info = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (hasErrorCode(error, 'ENOTDIR')) return 'absent';
    throw error;
  }
  if (info === undefined) return 'absent';
  if (!info.isSymbolicLink()) return 'present';
  try {
    realpathSync(path);
    return 'present';
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ELOOP')) return 'broken-symlink';
    throw error;
  }
}

async function nearestExistingParent(start: string, root: string): Promise<string> {
  let current = start;
  for (;;) {
    if ((await existingEntry(current)) !== 'absent') return current;
    if (current === root || dirname(current) === current) return current;
    current = dirname(current);
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = normalizedRelative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * `path.relative` for two normalized absolute paths (what `resolve`, `join` and `realpath` return): a child that
 * starts with the parent and a separator is cut, else `path.relative` decides (it also folds case on Windows). A
 * check judges every model's path this way, and `path.relative` resolves both paths again each time.
 */
export function normalizedRelative(parent: string, child: string): string {
  const prefix = parent.endsWith(sep) ? parent : `${parent}${sep}`;
  return child.startsWith(prefix) ? child.slice(prefix.length) : relative(parent, child);
}

/** Shows control characters as escapes so a message never carries a raw newline or NUL. */
function printable(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text).slice(1, -1);
}

function unsafe(message: string, details: Record<string, unknown>): DepotError {
  return new DepotError('UNSAFE_PATH', message, { details });
}
