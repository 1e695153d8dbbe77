import { DepotError } from '../../../shared/errors';
import { redactUrl } from '../../runtime/redact-url';
import { zHfTreePage, type HfRepoType, type HfTreeEntry } from './hub-schemas';
import { hfApiJson } from './hf-api-json';
import type { HubCallOptions } from './hub-request';
import { parseLinkNext } from './parse-link-header';

export interface HfListTreeOptions extends HubCallOptions {
  repoId: string;
  /** Default 'model'. */
  repoType?: HfRepoType;
  /** Branch, tag or commit; default 'main'. Percent-encoded as a whole. */
  revision?: string;
  /** Folder to list; default the repository root. */
  path?: string;
  /** Every level below `path`; default true. */
  recursive?: boolean;
  /** HF_ENDPOINT; default https://huggingface.co. */
  hubUrl?: string;
  /** Sent as `Authorization: Bearer` to the hub (private and gated repositories). */
  token?: string;
}

/**
 * The entries of a repository folder, page after page (`expand=false`: 1000 per page), following the absolute
 * `Link: <...>; rel="next"` header. LFS files carry their SHA-256 in `lfs.oid` (lowercased).
 * @throws DepotError AUTH_REQUIRED / AUTH_DENIED / NOT_FOUND (repository, revision or folder) / RATE_LIMITED...
 */
export async function* hfListTree(options: HfListTreeOptions): AsyncGenerator<HfTreeEntry, void, undefined> {
  const hubUrl = (options.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const repoType = options.repoType ?? 'model';
  const folder = (options.path ?? '').replace(/^\/+|\/+$/g, '');
  const encodedFolder = folder === '' ? '' : `/${folder.split('/').map(encodeURIComponent).join('/')}`;
  const query = `recursive=${options.recursive ?? true}&expand=false`;
  let url: string | undefined =
    `${hubUrl}/api/${repoType}s/${options.repoId}/tree/${encodeURIComponent(options.revision ?? 'main')}${encodedFolder}?${query}`;
  const what = `${options.repoId}${folder === '' ? '' : `/${folder}`}`;
  // A page asked for twice would be a Link loop (a broken mirror or proxy): the listing would never end.
  const listed = new Set<string>();
  while (url !== undefined) {
    if (listed.has(url)) {
      throw new DepotError(
        'HTTP_ERROR',
        `${what}: the tree listing links back to ${redactUrl(url)}, a page already listed; it was stopped there. ` +
          `Check that HF_ENDPOINT points at the hub itself.`,
      );
    }
    listed.add(url);
    const page = await hfApiJson(
      {
        url,
        hubUrl,
        repoType,
        repoId: options.repoId,
        token: options.token,
        what,
        schema: zHfTreePage,
        answer: 'a tree listing',
      },
      options,
    );
    yield* page.data;
    url = onHub(parseLinkNext(page.headers.get('link')), hubUrl);
  }
}

/**
 * The next page's URL on the configured hub: a mirror (or a proxy) may answer Links naming another origin; its path
 * and cursor are kept but the request stays on the hub, so the token never follows a link elsewhere.
 */
function onHub(next: string | undefined, hubUrl: string): string | undefined {
  if (next === undefined) return undefined;
  const resolved = new URL(next, `${hubUrl}/`);
  const hub = new URL(hubUrl);
  if (resolved.origin === hub.origin) return resolved.toString();
  return `${hub.origin}${resolved.pathname}${resolved.search}`;
}
