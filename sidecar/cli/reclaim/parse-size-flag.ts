import { DepotError } from '../../../shared/errors';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `--min-size 500M`: bytes from a number with an optional K, M, G or T suffix (powers of 1024; `MB`, `MiB` too). */
export function parseSizeFlag(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined) {
    throw new DepotError('BAD_INPUT', `--min-size takes a size such as 500M, 2G or 1048576; got "${value}".`);
  }
  return Math.round(Number(match[1]) * unit);
}
