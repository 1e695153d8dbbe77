import type { CheckItem, CheckSummary } from '../../../shared/check-result';

/**
 * The figures of a check. Bytes to download count each model once: two names of the same SHA-256 (or URL) are one
 * download and one link. Items of unknown size add nothing and are counted in `unknownSizes`; with any of them the
 * space verdict is `unknown` unless the known sizes alone already do not fit.
 */
export function summarizeCheck(items: readonly CheckItem[], freeBytes: number): CheckSummary {
  const counts = { present: 0, linkable: 0, missing: 0, conflict: 0, unavailable: 0 };
  const downloads = new Set<string>();
  let bytesToDownload = 0;
  let bytesSavedByLinking = 0;
  let needsToken = false;
  let unknownSizes = 0;
  for (const item of items) {
    counts[item.status] += 1;
    if (item.status === 'linkable') bytesSavedByLinking += item.size ?? 0;
    if (item.status !== 'missing') continue;
    needsToken ||= item.needsToken;
    const key = item.sha256 ?? item.url ?? item.targetPath;
    if (downloads.has(key)) continue;
    downloads.add(key);
    if (item.size === undefined) unknownSizes += 1;
    bytesToDownload += item.size ?? 0;
  }
  const space = bytesToDownload > freeBytes ? 'not-enough' : unknownSizes > 0 ? 'unknown' : 'fits';
  return {
    total: items.length,
    ...counts,
    bytesToDownload,
    bytesSavedByLinking,
    freeBytes,
    fits: space === 'fits',
    unknownSizes,
    space,
    needsToken,
  };
}
