import type { CheckResult } from '../../../shared/check-result';

/**
 * `check`'s exit code: 1 when a required model cannot be had (conflict, unavailable), an entry of the workflow
 * could not be read (a hostile name, a `url` that is not a URL: that entry's problem, reported beside the others),
 * or the downloads do not fit; else 0. An optional model that is unavailable does not fail the check, nor do sizes
 * that are not known. Exit 2 is left to a file that is not a workflow at all (BAD_INPUT, thrown before a result).
 */
export function checkExitCode(result: CheckResult): 0 | 1 {
  if (result.invalid.length > 0) return 1;
  const blocked = result.items.some(
    (item) => item.requirement.required && (item.status === 'conflict' || item.status === 'unavailable'),
  );
  return blocked ||
    result.summary.space === 'not-enough' ||
    (result.summary.space === undefined && !result.summary.fits)
    ? 1
    : 0;
}
