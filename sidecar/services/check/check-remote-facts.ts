import { isDepotError } from '../../../shared/errors';
import type { TargetState } from './check-target';
import { chooseDownloadUrl, type CheckHostPolicy } from './check-download-url';
import type { UnavailableCode } from '../../../shared/check-result';
import type { Requirement } from '../../../shared/requirement';

/** What a host says about a file URL without downloading it. */
export interface RemoteFileFacts {
  /** HF: the `X-Linked-Etag` of a HEAD on the resolve URL; Civitai: `files[].hashes.SHA256`. Lowercase hex. */
  sha256?: string;
  /** Bytes (`X-Linked-Size`; Civitai's `sizeKB` is not exact and should not be passed). */
  size?: number;
  /** The host answered 401/403: a token is needed for this file. */
  needsToken?: boolean;
  /**
   * The host answered that the repository does not exist, or that it is private and the token sent has no access
   * (HF 404 `RepoNotFound`; the Hub says the same for both so that private names cannot be probed).
   */
  repositoryNotFound?: boolean;
}

/**
 * Asks a host about a URL (the composition root wires `hfFileInfo` / `civitaiModelVersion` behind the metadata
 * cache). Resolves null when the host has no such file or gives no hash (a non-LFS HF file).
 */
export type LookupRemote = (url: string) => Promise<RemoteFileFacts | null>;

/** Look-ups at once: a template names a handful of files; hosts rate-limit bursts. */
const LOOKUP_CONCURRENCY = 6;

interface LookupDraft {
  requirement: Requirement;
  /** `<category>/<filename>`, named in a refusal. */
  targetPath: string;
  state?: TargetState;
  sha256?: string;
  size?: number;
  needsToken: boolean;
  /** Set here when the host says the file cannot be had from its URL: the item is then unavailable. */
  refusal?: { code: UnavailableCode; reason: string };
  /** Set here when the look-up itself failed (no answer in time, a name that does not resolve): one line, why. */
  lookupFailure?: string;
}

/**
 * Fills in the SHA-256 (and size, and whether a token is needed) of requirements that have an allowed URL but no
 * SHA-256 and whose target is not on disk, so that a ComfyUI template without hashes still finds the copy that
 * sits under another name. Only those: a present file needs no hash, and each look-up is a request.
 * A repository the host says is missing or out of the token's reach makes the requirement unavailable (NOT_FOUND):
 * its download would fail the same way, so the check says so now. Any other failed look-up (network, 5xx) leaves
 * the requirement as it was (it is then missing, its reason saying why its size is unknown, and the install reports
 * what the host says): the look-up is an optimisation, not a condition of the check.
 */
export async function lookUpMissingHashes(
  drafts: LookupDraft[],
  policy: CheckHostPolicy,
  lookupRemote: LookupRemote | undefined,
): Promise<void> {
  if (!lookupRemote) return;
  const pending = drafts.filter((d) => d.sha256 === undefined && d.state?.kind === 'absent');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const draft = pending[next++];
      if (!draft) return;
      const choice = chooseDownloadUrl(draft.requirement.urls, policy);
      if (!('url' in choice)) continue;
      let facts: RemoteFileFacts | null;
      try {
        facts = await lookupRemote(choice.url);
      } catch (error) {
        draft.lookupFailure = lookupFailureReason(draft.targetPath, choice.url, error);
        continue;
      }
      if (!facts) continue;
      if (facts.repositoryNotFound) {
        draft.refusal = { code: 'NOT_FOUND', reason: repositoryNotFoundReason(draft.targetPath, choice.url) };
        continue;
      }
      if (facts.sha256 !== undefined && /^[0-9a-f]{64}$/i.test(facts.sha256)) draft.sha256 = facts.sha256.toLowerCase();
      if (draft.size === undefined && facts.size !== undefined) draft.size = facts.size;
      if (facts.needsToken) draft.needsToken = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, pending.length) }, worker));
}

/**
 * One line: which host could not be asked (the endpoint the request went to, when the failure says, else the URL's)
 * and why, in the failure's own words (they name hosts, never paths or tokens).
 */
function lookupFailureReason(targetPath: string, url: string, error: unknown): string {
  const asked = isDepotError(error) ? error.details?.host : undefined;
  const host = typeof asked === 'string' ? asked : new URL(url).host;
  const why = error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
  return `${targetPath}: size and SHA-256 unknown, the look-up at ${host} failed: ${why}`;
}

/** What the Hub's answer means for this item and what to do: it cannot tell a missing repository from a private one. */
function repositoryNotFoundReason(targetPath: string, url: string): string {
  return (
    `${targetPath}: the host answered that the repository of ${url} does not exist, or that it is private and the ` +
    `HuggingFace token has no access to it (HTTP 404). Check the URL in the workflow; if the repository is private, ` +
    `use a token (HF_TOKEN) of an account that can see it, then check again.`
  );
}
