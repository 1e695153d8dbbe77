import { isSecretQueryParam } from '../../shared/is-secret-query-param';

/**
 * Beyond the shared list of secret parameters, anything that merely looks like one: the registry keeps sources for
 * ever, so it errs on the side of dropping (a lost `expires` costs nothing; a kept credential would).
 */
const LOOKS_SECRET = /token|key|auth|sig|credential|security|expires|password|policy/i;

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
    if (isSecretQueryParam(name) || LOOKS_SECRET.test(name)) url.searchParams.delete(name);
  }
  return url.toString();
}
