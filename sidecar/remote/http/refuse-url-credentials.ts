import { DepotError } from '../../../shared/errors';
import { isSecretQueryParam } from '../../../shared/is-secret-query-param';
import { redactUrl } from '../../runtime/redact-url';

/**
 * Query parameters that are a request's own signature, not a person's credential: presigned S3/R2 and CloudFront
 * URLs of the hubs' CDNs carry them (X-Amz-Security-Token among them), and they stay allowed.
 */
function isSignatureParam(lower: string): boolean {
  return (
    lower.startsWith('x-amz-') ||
    lower.startsWith('x-goog-') ||
    ['signature', 'sig', 'policy', 'key-pair-id'].includes(lower)
  );
}

/** A HuggingFace access token, wherever it was pasted. */
const HF_TOKEN_VALUE = /^hf_[A-Za-z0-9]{20,}$/;

/**
 * Throws BAD_INPUT when `url` carries a person's credential: user info (`user:pass@`), a `?token=`-like parameter
 * (Civitai's `token`, `access_token`, `api_key`...), or anything that looks like an HF token. A URL is copied into
 * workflows, logs and shell history; tokens belong in the token settings, which keep them in memory only. The
 * message shows the URL with the credential replaced, never the credential.
 */
export function refuseUrlCredentials(url: string | URL): void {
  const parsed = new URL(url);
  const where: string[] = [];
  if (parsed.username !== '' || parsed.password !== '') where.push('user info (user:password@)');
  for (const [name, value] of parsed.searchParams) {
    const lower = name.toLowerCase();
    if ((isSecretQueryParam(lower) && !isSignatureParam(lower)) || HF_TOKEN_VALUE.test(value))
      where.push(`the "${name}" parameter`);
  }
  if (where.length === 0) return;
  throw new DepotError(
    'BAD_INPUT',
    `${redactUrl(parsed)} carries a credential in ${where.join(' and ')}; model-depot does not send credentials taken ` +
      `from URLs. Remove it from the URL and give the token in the token settings instead (HF_TOKEN, ` +
      `CIVITAI_API_TOKEN, or the token dialog when a download asks for one).`,
    { details: { url: redactUrl(parsed) } },
  );
}
