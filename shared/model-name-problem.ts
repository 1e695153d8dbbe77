/**
 * C0 and C1 control characters and DEL: never part of a name a person typed, and a newline or escape in a printed
 * path can forge output.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Bidirectional controls (U+202E and its kin, marks included): they make `evil.exe\u202Efdp.safetensors` print
 * as something else, so a name holding one cannot be shown honestly.
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Why a model file name from a workflow cannot be used as a path inside its folder, or undefined when it can.
 * Pure and conservative: the sidecar enforces the real boundary again with `resolveModelPath` (realpath and all),
 * but a name that is hostile on its face is reported here, beside the good entries, as soon as the workflow is read.
 * Expects `/` separators: callers turn Windows `\` into `/` first (ComfyUI lists subfolders with `\` on Windows).
 */
export function modelNameProblem(filename: string): string | undefined {
  if (CONTROL_CHARACTERS.test(filename)) return 'contains control characters';
  if (BIDI_CONTROLS.test(filename)) return 'contains a bidirectional text control character (such as U+202E)';
  if (filename.startsWith('/') || /^[A-Za-z]:/.test(filename))
    return 'is an absolute path; give a name inside its folder';
  // Characters Windows refuses in names (and `:` opens NTFS alternate streams): a workflow must work everywhere.
  if (/[:*?"<>|]/.test(filename)) return 'contains a character not allowed in file names (: * ? " < > |)';
  for (const segment of filename.split('/')) {
    if (segment === '') return 'has an empty path segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment; it must stay inside its folder`;
    if (segment.length > 255) return 'has a path segment longer than 255 characters';
    if (/[. ]$/.test(segment)) return 'has a path segment ending in a dot or a space';
  }
  return undefined;
}
