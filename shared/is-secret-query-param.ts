/**
 * Query parameters that carry a credential or a signature: Civitai's `?token=`, presigned S3/R2 and CloudFront
 * signatures (HF's CDN), and common API-key names. Every `x-amz-*` and `*token` name counts as well.
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
 * Whether a URL query parameter of this name holds a secret (compared case-insensitively). One list for the
 * workflow side (`urlWithoutCredentials`) and the sidecar (`redactUrl`, `stripUrlCredentials`), so the two never drift.
 */
export function isSecretQueryParam(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_PARAMS.has(lower) || lower.startsWith('x-amz-') || lower.endsWith('token');
}
