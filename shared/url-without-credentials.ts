/**
 * Query parameters that carry a credential or a signature (Civitai's `?token=`, presigned S3/R2 signatures, common
 * API-key names); the same list as the sidecar's `redactUrl`, compared case-insensitively.
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
  'x-goog-signature',
  'x-goog-credential',
]);

/**
 * A workflow's URL with user info and credential parameters removed, or undefined when it is not a URL. Workflows
 * are shared and saved (the extension stores requirements inside the workflow), and check results are shown and
 * logged: a token pasted into a URL must not travel further. Tokens are asked for and kept in memory instead.
 */
export function urlWithoutCredentials(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    const lower = name.toLowerCase();
    if (SECRET_PARAMS.has(lower) || lower.startsWith('x-amz-') || lower.endsWith('token')) parsed.searchParams.delete(name);
  }
  return parsed.toString();
}
