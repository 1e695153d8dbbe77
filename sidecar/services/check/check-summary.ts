import type { CheckItem, CheckSummary } from '../../../shared/check-result';

/**
 * The figures of a check. Bytes to download count each model once: two names of the same SHA-256 (or URL) are one
 * download and one link. Items of unknown size add nothing, so `fits` is only as sure as the sizes are.
 */
export function summarizeCheck(items: readonly CheckItem[], freeBytes: number): CheckSummary {
  const counts = { present: 0, linkable: 0, missing: 0, conflict: 0, unavailable: 0 };
  const downloads = new Set<string>();
  let bytesToDownload = 0;
  let bytesSavedByLinking = 0;
  let needsToken = false;
  for (const item of items) {
    counts[item.status] += 1;
    if (item.status === 'linkable') bytesSavedByLinking += item.size ?? 0;
    if (item.status !== 'missing') continue;
    needsToken ||= item.needsToken;
    const key = item.sha256 ?? item.url ?? item.targetPath;
    if (downloads.has(key)) continue;
    downloads.add(key);
    bytesToDownload += item.size ?? 0;
  }
  return {
    total: items.length,
    ...counts,
    bytesToDownload,
    bytesSavedByLinking,
    freeBytes,
    fits: bytesToDownload <= freeBytes,
    needsToken,
  };
}
