import { freeSpace } from './free-space';

export interface RecentFreeSpaceOptions {
  /** The time in ms (the depot's clock). */
  now: () => number;
  /** How old a measure may be and still answer. Default 1000 ms. */
  maxAgeMs?: number;
  /** Measures a folder's volume. Default `freeSpace` (statfs). */
  measure?: (dir: string) => Promise<number>;
}

/**
 * `freeSpace` that answers from a measure of the same folder taken less than `maxAgeMs` ago (a failed one is not
 * kept). A browser checks the open workflow again and again, and a statfs costs more than the rest of a small check;
 * free space a second old is as good an answer to "do the downloads fit".
 */
export function recentFreeSpace(options: RecentFreeSpaceOptions): (dir: string) => Promise<number> {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const measure = options.measure ?? freeSpace;
  const recent = new Map<string, { at: number; bytes: Promise<number> }>();
  return (dir) => {
    const at = options.now();
    const known = recent.get(dir);
    if (known && at - known.at < maxAgeMs) return known.bytes;
    const bytes = measure(dir);
    recent.set(dir, { at, bytes });
    bytes.catch(() => {
      if (recent.get(dir)?.bytes === bytes) recent.delete(dir);
    });
    return bytes;
  };
}
