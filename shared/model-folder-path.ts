import { canonicalFolder } from './model-folders';
import { BIDI_CONTROLS, CONTROL_CHARACTERS } from './model-name-problem';

/** A folder under the models root: its top folder (the category) and any subfolders below it. */
export interface ModelFolderPath {
  /** The top folder, canonical for ComfyUI's own and legacy names (`unet` -> `diffusion_models`). */
  category: string;
  /** Subfolders below it (`['SDXL']` for `controlnet/SDXL`), each a safe name; empty for a plain folder. */
  subfolders: string[];
}

/**
 * The folder that stands for the models root itself, for layouts that keep files directly in it (WanGP keeps most
 * of its files in ckpts/ with no folder). Its category is itself, so a requirement written with it keeps it.
 */
export const MODELS_ROOT_FOLDER = '.';

/** Longest folder path accepted, in characters; real ones (`ultralytics/bbox`) are far shorter. */
const MAX_FOLDER_CHARS = 512;
/** Longest segment most file systems accept, in UTF-8 bytes. */
const MAX_SEGMENT_BYTES = 255;
const WINDOWS_FORBIDDEN = /[<>:"|?*\\]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * The folder a workflow or a catalog names (`checkpoints`, `ipadapter`, `ultralytics/bbox`, `controlnet/SDXL`), as
 * ComfyUI's folder_paths and custom nodes create them under the models root, or why it cannot be one. Any safe
 * path of one or more segments is accepted; refused are absolute paths, drive letters, backslashes, empty, `.`,
 * `..` and hidden segments (`.cache`, `.registry` belong to the depot; a lone `.` is `MODELS_ROOT_FOLDER`), control and bidirectional control
 * characters, characters Windows forbids, reserved device names and `__proto__`. Pure: the extension runs it too;
 * the sidecar still checks real paths before writing.
 */
export function modelFolderPath(folder: string): ModelFolderPath | { problem: string } {
  if (folder.length === 0) return { problem: 'it is empty' };
  if (folder === MODELS_ROOT_FOLDER) return { category: MODELS_ROOT_FOLDER, subfolders: [] };
  if (folder.length > MAX_FOLDER_CHARS) return { problem: `it is longer than ${MAX_FOLDER_CHARS} characters` };
  if (CONTROL_CHARACTERS.test(folder)) return { problem: 'it contains a control character (NUL, newline, tab...)' };
  if (BIDI_CONTROLS.test(folder)) {
    return { problem: 'it contains a bidirectional text control character (such as U+202E)' };
  }
  if (folder.startsWith('/')) return { problem: 'it is an absolute path; give a folder under the models root' };
  if (/^[A-Za-z]:/.test(folder)) return { problem: 'it starts with a drive letter' };
  if (folder.includes('\\')) return { problem: 'it contains a backslash; separate subfolders with "/"' };
  const segments = folder.split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return { problem };
  }
  const [top = '', ...subfolders] = segments;
  return { category: canonicalFolder(top) ?? top, subfolders };
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'it has an empty path segment ("//" or a trailing "/")';
  if (segment === '.' || segment === '..') return `it contains "${segment}" as a path segment`;
  if (segment.startsWith('.')) return `"${segment}" is a hidden name (starts with a dot)`;
  if (segment !== segment.trim()) return `"${segment}" starts or ends with a space`;
  if (segment.endsWith('.')) return `"${segment}" ends with a dot`;
  if (WINDOWS_FORBIDDEN.test(segment)) return 'it contains one of < > : " | ? *';
  if (WINDOWS_RESERVED.test(segment)) return `"${segment}" is a reserved device name on Windows`;
  // A key that would reach Object.prototype wherever folders index a plain object.
  if (segment === '__proto__') return '"__proto__" is not a folder name';
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a long segment can be too long, and only it is encoded.
  if (segment.length * 3 > MAX_SEGMENT_BYTES && new TextEncoder().encode(segment).length > MAX_SEGMENT_BYTES) {
    return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}
