import { isSecretQueryParam } from '../../shared/is-secret-query-param';
import { urlWithoutCredentials } from '../../shared/url-without-credentials';

const REDACTED = 'REDACTED';

/**
 * A URL safe to print: user info dropped and every credential or signature parameter replaced by `REDACTED`.
 * Every URL that reaches a log line or an error message goes through here (STYLE rule 12). Unparsable input is
 * replaced as a whole, since it may still hold a secret.
 */
export function redactUrl(url: string | URL): string {
  const parsed = parse(url);
  if (!parsed) return '<unparsable url>';
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretQueryParam(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/**
 * A URL safe to store (resume state, registry sources): user info and credential parameters removed entirely, so
 * the stored form is still a usable URL of the same resource without anyone's credentials.
 */
export function stripUrlCredentials(url: string | URL): string {
  const stripped = urlWithoutCredentials(url.toString());
  if (stripped === undefined) throw new TypeError('stripUrlCredentials: not a URL');
  return stripped;
}

function parse(url: string | URL): URL | undefined {
  try {
    return new URL(url.toString());
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}
