import type { CheckResult } from '../../../shared/check-result';

/**
 * `check`'s exit code: 2 when part of the workflow could not be read (invalid entries: hostile names,
 * wrong types), 1 when a required model cannot be had (conflict, unavailable) or the downloads do not fit, else 0.
 * An optional model that is unavailable does not fail the check.
 */
export function checkExitCode(result: CheckResult): 0 | 1 | 2 {
  if (result.invalid.length > 0) return 2;
  const blocked = result.items.some(
    (item) => item.requirement.required && (item.status === 'conflict' || item.status === 'unavailable'),
  );
  return blocked || !result.summary.fits ? 1 : 0;
}
