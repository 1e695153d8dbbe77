/** True when `error` is a Node system error (or proper-lockfile error) with this `code`, such as 'ENOENT'. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
