/**
 * Why a model file name from a workflow cannot be used as a path inside its folder, or undefined when it can.
 * Pure and conservative: the sidecar enforces the real boundary again with `resolveModelPath` (realpath and all),
 * but a name that is hostile on its face is reported here, beside the good entries, as soon as the workflow is read.
 * Expects `/` separators: callers turn Windows `\` into `/` first (ComfyUI lists subfolders with `\` on Windows).
 */
export function modelNameProblem(filename: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(filename)) return 'contains control characters';
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
