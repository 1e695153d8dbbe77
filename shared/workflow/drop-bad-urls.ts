import type { ZodError } from 'zod';

/**
 * An entry whose only problems are its URLs (`url`, or items of `urls`), with those URLs taken out; undefined when
 * anything else is wrong too. A URL that is not one is that URL's problem: the file it names is still needed, and
 * may be found on disk, by hash, or elsewhere, so the entry stays and the bad URL is reported beside it.
 */
export function dropBadUrls(entry: unknown, error: ZodError): object | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const badItems = new Set<number>();
  let badUrl = false;
  for (const issue of error.issues) {
    const [field, index] = issue.path;
    if (field === 'url' && issue.path.length === 1) badUrl = true;
    else if (field === 'urls' && typeof index === 'number' && issue.path.length === 2) badItems.add(index);
    else return undefined;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) copy[key] = Reflect.get(entry, key);
  if (badUrl) delete copy.url;
  const urls = copy.urls;
  if (badItems.size > 0 && Array.isArray(urls)) copy.urls = urls.filter((_, i) => !badItems.has(i));
  return copy;
}
