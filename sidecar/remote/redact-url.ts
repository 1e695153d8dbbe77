/**
 * Query parameters that carry a credential or a signature: Civitai's `?token=`, presigned S3/R2 and CloudFront
 * signatures (HF's CDN), and common API-key names. Compared case-insensitively.
 */
const SECRET_PARAMS = new Set([
  'token',
  'access_token',
  'api_key',
  'apikey',
  'key',
  'signature',
  'sig',
  'policy',
  'key-pair-id',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
]);

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
    if (isSecretParam(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/**
 * A URL safe to store (resume state, registry sources): user info and credential parameters removed entirely, so
 * the stored form is still a usable URL of the same resource without anyone's credentials.
 */
export function stripUrlCredentials(url: string | URL): string {
  const parsed = parse(url);
  if (!parsed) throw new TypeError('stripUrlCredentials: not a URL');
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretParam(name)) parsed.searchParams.delete(name);
  }
  return parsed.toString();
}

function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_PARAMS.has(lower) || lower.startsWith('x-amz-') || lower.endsWith('token');
}

function parse(url: string | URL): URL | undefined {
  try {
    return new URL(url.toString());
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}
