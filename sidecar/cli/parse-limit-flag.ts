import { DepotError } from '../../shared/errors';

/**
 * `--limit KBPS | --no-limit` as commander gives it: a string, false for --no-limit, or true/undefined when neither
 * was given. Returns KB/s, null for no cap, or undefined to keep the config's value.
 */
export function parseLimitFlag(value: string | boolean | undefined): number | null | undefined {
  if (value === false) return null;
  if (value === undefined || value === true) return undefined;
  const kbps = Number(value);
  if (!Number.isFinite(kbps) || kbps <= 0) {
    throw new DepotError(
      'BAD_INPUT',
      `--limit takes a positive number of KB/s, such as 20000; got "${value}". Use --no-limit for no cap.`,
    );
  }
  return kbps;
}
