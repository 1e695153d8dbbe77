/** Runs `work` on every item with at most `limit` running at once (many small files: enough to keep the disk busy). */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let index = 0;
  const lane = async (): Promise<void> => {
    while (index < items.length) {
      const item = items[index++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
