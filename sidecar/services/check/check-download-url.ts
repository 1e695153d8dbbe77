import type { Provider } from '../../../shared/check-result';
import { isDepotError } from '../../../shared/errors';
import { refuseUrlCredentials } from '../../remote/http/refuse-url-credentials';
import { hubUrlProvider } from '../../remote/hub/hub-url-provider';
import { redactUrl } from '../../runtime/redact-url';

/** The part of the host policy a check needs (`HostPolicy` fits): undefined for a URL that may not be fetched. */
export interface CheckHostPolicy {
  verdict(url: string): { provider?: Provider } | undefined;
}

export type DownloadChoice = { url: string; provider?: Provider } | { reason: string };

/**
 * The first of a requirement's URLs that the host policy allows (https HuggingFace and Civitai,
 * the configured endpoints, loopback only when enabled) and that carries no credential, or why none can be used
 * (`targetPath`, relative to the models root, is named in that reason). A URL with user info or a token parameter
 * is refused, not cleaned: the token belongs in the token settings, not in a workflow that gets shared.
 */
export function chooseDownloadUrl(
  urls: readonly string[],
  policy: CheckHostPolicy,
  targetPath = 'its place',
): DownloadChoice {
  let credentialRefusal: string | undefined;
  for (const url of urls) {
    const verdict = policy.verdict(url);
    if (verdict) {
      const refusal = credentialIn(url);
      if (refusal !== undefined) {
        credentialRefusal ??= refusal;
        continue;
      }
      const provider = verdict.provider ?? hubUrlProvider(url);
      return provider === undefined ? { url } : { url, provider };
    }
  }
  if (credentialRefusal !== undefined) return { reason: credentialRefusal };
  if (urls.length === 0) {
    return {
      reason:
        'the workflow gives no URL for it and no file with this name or SHA-256 is known here; ' +
        `put the file at ${targetPath}, or register the folder that has it (model-depot migrate, --hub-dir)`,
    };
  }
  const shown = urls
    .slice(0, 2)
    .map((url) => redactUrl(url))
    .join(', ');
  return {
    reason:
      `its URL${urls.length > 1 ? 's are' : ' is'} not allowed (${shown}): model-depot only downloads https ` +
      `URLs of HuggingFace and Civitai; put the file at ${targetPath} yourself`,
  };
}

/** refuseUrlCredentials' sentence (the URL shown without the credential), or undefined for a clean URL. */
function credentialIn(url: string): string | undefined {
  try {
    refuseUrlCredentials(url);
    return undefined;
  } catch (error) {
    if (isDepotError(error) && error.code === 'BAD_INPUT') return error.message;
    throw error;
  }
}
