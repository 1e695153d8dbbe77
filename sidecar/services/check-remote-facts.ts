import type { TargetState } from './check-target';
import { chooseDownloadUrl, type CheckHostPolicy } from './check-download-url';
import type { Requirement } from '../../shared/requirement';

/** What a host says about a file URL without downloading it. */
export interface RemoteFileFacts {
  /** HF: the `X-Linked-Etag` of a HEAD on the resolve URL; Civitai: `files[].hashes.SHA256`. Lowercase hex. */
  sha256?: string;
  /** Bytes (`X-Linked-Size`; Civitai's `sizeKB` is not exact and should not be passed). */
  size?: number;
  /** The host answered 401/403: a token is needed for this file. */
  needsToken?: boolean;
}

/**
 * Asks a host about a URL (the composition root wires C's `hfFileInfo` / `civitaiModelVersion` behind C's metadata
 * cache). Resolves null when the host has no such file or gives no hash (a non-LFS HF file).
 */
export type LookupRemote = (url: string) => Promise<RemoteFileFacts | null>;

/** Look-ups at once: a template names a handful of files; hosts rate-limit bursts. */
const LOOKUP_CONCURRENCY = 6;

interface LookupDraft {
  requirement: Requirement;
  state?: TargetState;
  sha256?: string;
  size?: number;
  needsToken: boolean;
}

/**
 * Fills in the SHA-256 (and size, and whether a token is needed) of requirements that have an allowed URL but no
 * SHA-256 and whose target is not on disk, so that a ComfyUI template without hashes still finds the copy that
 * sits under another name. Only those: a present file needs no hash, and each look-up is a request.
 * A failed look-up leaves the requirement as it was (it is then simply missing): it is an optimisation, not a
 * condition of the check.
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
      const facts = await lookupRemote(choice.url).catch(() => null);
      if (!facts) continue;
      if (facts.sha256 !== undefined && /^[0-9a-f]{64}$/i.test(facts.sha256)) draft.sha256 = facts.sha256.toLowerCase();
      if (draft.size === undefined && facts.size !== undefined) draft.size = facts.size;
      if (facts.needsToken) draft.needsToken = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, pending.length) }, worker));
}
