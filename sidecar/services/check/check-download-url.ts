import type { Provider } from '../../../shared/check-result';
import { hubUrlProvider } from '../../remote/hub/hub-url-provider';
import { redactUrl, stripUrlCredentials } from '../../runtime/redact-url';

/** The part of the host policy a check needs (`HostPolicy` fits): undefined for a URL that may not be fetched. */
export interface CheckHostPolicy {
  verdict(url: string): { provider?: Provider } | undefined;
}

export type DownloadChoice = { url: string; provider?: Provider } | { reason: string };

/**
 * The first of a requirement's URLs that the host policy allows (https HuggingFace and Civitai,
 * the configured endpoints, loopback only when enabled), without credentials, or why none can be used
 * (`targetPath`, relative to the models root, is named in that reason).
 */
export function chooseDownloadUrl(
  urls: readonly string[],
  policy: CheckHostPolicy,
  targetPath = 'its place',
): DownloadChoice {
  for (const url of urls) {
    const verdict = policy.verdict(url);
    if (verdict) {
      const provider = verdict.provider ?? hubUrlProvider(url);
      // A check result is shown, sent and logged: a `?token=` pasted into a workflow must not travel with it.
      const clean = stripUrlCredentials(url);
      return provider === undefined ? { url: clean } : { url: clean, provider };
    }
  }
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
