/** The `code` of a Node system error (or a proper-lockfile error), such as 'ENOENT'; undefined for anything else. */
export function errorCodeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
