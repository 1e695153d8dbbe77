import type { HfRepoType } from './hub-schemas';
import { DepotError } from '../../../shared/errors';
import { hfHttpError } from './hf-http-error';
import { hubRequest, type HubCallOptions } from './hub-request';
import { hfResolveUrl, parseHubUrl, toFetchUrl } from './hub-url';
import { redactUrl } from '../../runtime/redact-url';

export interface HfFileInfoOptions extends HubCallOptions {
  /** A resolve (or /blob/) URL on huggingface.co or on `hubUrl`; or give repoId + path. */
  url?: string;
  repoId?: string;
  /** Default 'model'. */
  repoType?: HfRepoType;
  /** Default 'main'. */
  revision?: string;
  path?: string;
  /** HF_ENDPOINT; default https://huggingface.co. Real-host URLs are rebased onto it. */
  hubUrl?: string;
  /** Sent as `Authorization: Bearer` to the hub only (never to a CDN hop). */
  token?: string;
}

export interface HfFileInfo {
  /** Lowercase hex, from the quoted `X-Linked-Etag` of an LFS file; absent for regular files (the Hub has none). */
  sha256?: string;
  /** Bytes: `X-Linked-Size`, else `Content-Length` of the final answer. */
  size: number;
  /** `X-Repo-Commit`: the commit the revision resolved to. */
  commit?: string;
  /** The entity tag as sent (quoted): the SHA-256 for LFS files, the git blob sha1 for regular ones. */
  etag: string;
  /** Stored through LFS (answered with a redirect to the CDN carrying X-Linked-*). */
  lfs: boolean;
}

/** Same-host redirects followed (a regular file's 307 to /api/resolve-cache/, a renamed repository). */
const MAX_HOPS = 5;

/**
 * What the Hub says about a file without downloading it: a HEAD on the resolve URL with
 * redirects handled by hand, because the SHA-256 and size live on the 302 itself (`X-Linked-Etag`, `X-Linked-Size`).
 * @returns null when the file does not exist at that revision (EntryNotFound).
 * @throws DepotError AUTH_REQUIRED (401) / AUTH_DENIED (403, details.accessUrl) / NOT_FOUND (repository, revision) /
 *   RATE_LIMITED / HTTP_ERROR / NETWORK.
 */
export async function hfFileInfo(options: HfFileInfoOptions): Promise<HfFileInfo | null> {
  const hubUrl = (options.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const target = describeTarget(options, hubUrl);
  let url = target.url;
  for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
    const sameHost = new URL(url).origin === new URL(hubUrl).origin;
    if (!sameHost)
      throw new DepotError(
        'HOST_NOT_ALLOWED',
        `${target.what}: the hub redirected a HEAD to ${redactUrl(url)}, another host; not followed (only hub hops are; the SHA-256 comes on the hub's own 302).`,
      );
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    // The token goes to the hub only, as huggingface_hub does when a hop changes host.
    if (options.token !== undefined && sameHost) headers.Authorization = `Bearer ${options.token}`;
    const response = await hubRequest(url, { method: 'HEAD', headers, redirect: 'manual' }, options);
    const linkedEtag = response.headers.get('x-linked-etag');
    const linkedSize = response.headers.get('x-linked-size');
    const commit = response.headers.get('x-repo-commit') ?? undefined;
    if (response.status >= 300 && response.status < 400 && linkedEtag !== null && linkedSize !== null) {
      return { ...shaOf(linkedEtag), size: Number(linkedSize), commit, etag: linkedEtag, lfs: true };
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (location === null)
        throw new DepotError('HTTP_ERROR', `${target.what}: a redirect without a Location from ${redactUrl(url)}.`);
      url = new URL(location, url).toString();
      continue;
    }
    if (response.status === 200) {
      const etag = response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '';
      const size = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? NaN);
      if (!Number.isFinite(size)) throw new DepotError('HTTP_ERROR', `${target.what}: ${redactUrl(url)} gave no size.`);
      return {
        ...shaOf(response.headers.get('x-linked-etag') ?? ''),
        size,
        commit,
        etag,
        lfs: response.headers.get('x-linked-etag') !== null,
      };
    }
    if (response.status === 404 && response.headers.get('x-error-code') === 'EntryNotFound') return null;
    throw await hfHttpError({
      response,
      url,
      hubUrl,
      repoType: target.repoType,
      repoId: target.repoId,
      sentToken: headers.Authorization !== undefined,
      what: target.what,
    });
  }
  throw new DepotError('HTTP_ERROR', `${target.what}: more than ${MAX_HOPS} redirects.`);
}

function shaOf(etag: string): { sha256?: string } {
  const unquoted = etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(unquoted) ? { sha256: unquoted } : {};
}

function describeTarget(
  options: HfFileInfoOptions,
  hubUrl: string,
): { url: string; repoType: HfRepoType; repoId: string; what: string } {
  if (options.url !== undefined) {
    const parts = parseHubUrl(options.url, { hfEndpoint: hubUrl });
    if (parts === null || parts.provider !== 'huggingface' || parts.kind !== 'file') {
      throw new DepotError(
        'BAD_INPUT',
        `${redactUrl(options.url)} is not a HuggingFace file URL (…/{repo}/resolve/{revision}/{path}).`,
      );
    }
    const url = hfResolveUrl({
      hubUrl,
      repoType: parts.repoType,
      repoId: parts.repoId,
      revision: parts.revision,
      path: parts.path,
    });
    return {
      url: toFetchUrl(url, { hfEndpoint: hubUrl }),
      repoType: parts.repoType,
      repoId: parts.repoId,
      what: `${parts.repoId}/${parts.path}`,
    };
  }
  if (options.repoId === undefined || options.path === undefined) {
    throw new DepotError('BAD_INPUT', 'hfFileInfo needs a url, or a repoId and a path.');
  }
  const repoType = options.repoType ?? 'model';
  const url = hfResolveUrl({
    hubUrl,
    repoType,
    repoId: options.repoId,
    revision: options.revision,
    path: options.path,
  });
  return { url, repoType, repoId: options.repoId, what: `${options.repoId}/${options.path}` };
}
