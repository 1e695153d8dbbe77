/** Query parameters that carry credentials or short-lived signatures (Civitai `?token=`, signed CDN URLs). */
const SECRET_PARAM = /token|key|auth|sig|credential|security|expires|password/i;

/**
 * A source as the registry may store it: an http(s) URL loses its user:password, its fragment and any credential or
 * signature query parameter, because the registry is a plain file and tokens are never written anywhere. Anything
 * else (a hub path) is kept as given.
 */
export function cleanSource(source: string): string {
  if (!/^https?:\/\//i.test(source)) return source;
  let url: URL;
  try {
    url = new URL(source);
  } catch (error) {
    // Not parseable as a URL: keep only what precedes a query, where a secret could hide.
    if (error instanceof TypeError) return source.split(/[?#]/)[0] ?? source;
    throw error;
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.delete(name);
  }
  return url.toString();
}
