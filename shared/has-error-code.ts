import { errorCodeOf } from './error-code-of';

/** True when `error` is a Node system error (or proper-lockfile error) with this `code`, such as 'ENOENT'. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return errorCodeOf(error) === code;
}
