import { DepotError } from '../../shared/errors';
import { zSha256 } from './registry-schema';

/** A caller's SHA-256 as the registry keys it (lowercase hex); anything else is BAD_INPUT. */
export function checkSha256(sha256: string): string {
  const parsed = zSha256.safeParse(sha256.toLowerCase());
  if (!parsed.success) throw new DepotError('BAD_INPUT', `"${sha256}" is not a SHA-256 (64 hex digits).`);
  return parsed.data;
}
