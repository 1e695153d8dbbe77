import type { ZodError } from 'zod';

/** The first few zod issues as one sentence: `items.0.filename: Required; tokens: Unrecognized key`. */
export function describeZodError(error: ZodError, max = 3): string {
  const parts = error.issues
    .slice(0, max)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message).slice(0, 200)); // zod echoes enum input ("received '…'"): bound the echo
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}
