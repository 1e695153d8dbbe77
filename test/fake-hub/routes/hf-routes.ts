import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RepoType } from '../fake-hub-types';
import { accessRepo, answeredByFault, decodeSegments, encodePath } from './hf-access';
import { answerHfApi } from './hf-api-routes';
import { sendHfError } from './hf-errors';
import { commitOf, repoKey, type HubState, type Repo, type RepoFile } from '../hub-state';
import { sendBody } from '../request-log';
import { serveContent } from '../content/serve-content';
import type { HubExchange } from '../hub-exchange';

const API_TYPES: Record<string, RepoType> = { models: 'model', datasets: 'dataset', spaces: 'space' };
const COMMIT = /^[0-9a-f]{40}$/;

/** The HuggingFace Hub origin: resolve URLs, resolve-cache, and the JSON API. */
export async function answerHf(state: HubState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record = state.log.start('hf', req, res);
  const url = new URL(req.url ?? '/', state.urls.hfUrl);
  const x: HubExchange = { state, req, res, record, url, method: req.method ?? 'GET' };
  const segments = url.pathname.split('/').slice(1);
  if (segments[0] === 'api') {
    if (segments[1] === 'resolve-cache') return resolveCache(x, segments.slice(2));
    return answerHfApi(x, segments.slice(1));
  }
  let type: RepoType = 'model';
  if (segments[0] === 'datasets' || segments[0] === 'spaces') {
    type = segments[0] === 'datasets' ? 'dataset' : 'space';
    segments.shift();
  }
  const idLength = segments[2] === 'resolve' ? 2 : segments[1] === 'resolve' ? 1 : 0;
  if (idLength === 0 || segments.length < idLength + 3 || (x.method !== 'GET' && x.method !== 'HEAD')) {
    if (answeredByFault(x, { server: 'hf', urlPath: url.pathname })) return;
    sendHfError(req, res, record, 404, undefined, "Sorry, we can't find the page you are looking for.");
    return;
  }
  const id = decodeSegments(segments.slice(0, idLength));
  const revision = decodeURIComponent(segments[idLength + 1]);
  const path = decodeSegments(segments.slice(idLength + 2));
  record.repoId = id;
  record.file = path;
  if (answeredByFault(x, { server: 'hf', urlPath: url.pathname, repoId: id, file: path })) return;
  const access = accessRepo(x, type, id, revision, true);
  if (access === undefined) return;
  const file = access.repo.files.get(path);
  if (file === undefined) {
    sendHfError(req, res, record, 404, 'EntryNotFound', 'Entry not found', { 'X-Repo-Commit': access.commit });
    return;
  }
  if (file.lfs) await redirectToCdn(x, access.repo, file, access.commit);
  else await redirectToResolveCache(x, access.repo, file, access.commit, revision);
}

/** LFS file: 302 to a signed CDN URL on another host, with the file's SHA-256 and size in X-Linked-*. */
async function redirectToCdn(x: HubExchange, repo: Repo, file: RepoFile, commit: string): Promise<void> {
  const sha256 = await x.state.digests.sha256(file.source);
  const location = cdnLocation(x.state, repo, file);
  const body = `Found. Redirecting to ${location}`;
  sendBody(
    x.res,
    x.record,
    302,
    {
      Location: location,
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Repo-Commit': commit,
      'X-Linked-Etag': `"${sha256}"`,
      'X-Linked-Size': String(file.source.size),
      'Access-Control-Expose-Headers':
        'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag',
      Vary: 'Origin, Accept',
    },
    body,
    x.method,
  );
}

/** The CDN URL of a file: keyed by repository and path (not by blob) so a changed file keeps its URL, as If-Range tests need. */
export function cdnLocation(state: HubState, repo: Repo, file: RepoFile): string {
  const repoHash = createHash('sha256').update(repoKey(repo.type, repo.id)).digest('hex');
  const fileKey = createHash('sha256')
    .update(`${repoKey(repo.type, repo.id)}/${file.path}`)
    .digest('hex');
  state.cdnFiles.set(fileKey, { repo, path: file.path });
  const name = file.path.split('/').pop() ?? file.path;
  const pathname = `/repos/${repoHash.slice(0, 2)}/${repoHash.slice(2, 4)}/${repoHash}/${fileKey}`;
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const query = new URLSearchParams({
    'response-content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name}";`,
    'response-content-type': 'application/octet-stream',
    Expires: String(expires),
    Policy: Buffer.from(`{"Statement":[{"Resource":"${pathname}"}]}`).toString('base64url'),
    Signature: signCdn(state, pathname, String(expires)),
    'Key-Pair-Id': 'KVTP0A1DKRTAX',
  });
  return `${state.urls.cdnUrl}${pathname}?${query.toString().replace(/\+/g, '%20')}`;
}

export function signCdn(state: HubState, pathname: string, expires: string): string {
  return createHmac('sha256', state.secret).update(`${pathname}\n${expires}`).digest('base64url');
}

/** Regular (non-LFS) file: 307 to a relative /api/resolve-cache/ URL, as the Hub does. */
async function redirectToResolveCache(
  x: HubExchange,
  repo: Repo,
  file: RepoFile,
  commit: string,
  revision: string,
): Promise<void> {
  const sha1 = await x.state.digests.gitBlobSha1(file.source);
  const prefix = repo.type === 'model' ? 'models' : `${repo.type}s`;
  const original = `/${repo.id}/resolve/${revision}/${file.path}`;
  const location =
    `/api/resolve-cache/${prefix}/${repo.id}/${commit}/${encodePath(file.path)}` +
    `?${encodeURIComponent(original)}=&etag=${encodeURIComponent(`"${sha1}"`)}`;
  sendBody(
    x.res,
    x.record,
    307,
    { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'X-Repo-Commit': commit, ETag: `"${sha1}"` },
    `Temporary Redirect. Redirecting to ${location}`,
    x.method,
  );
}

/** `/api/resolve-cache/{type}s/{repo}/{commit}/{path}`: the regular file's bytes, 200/206, quoted git sha1 ETag. */
async function resolveCache(x: HubExchange, segments: string[]): Promise<void> {
  const type = API_TYPES[segments[0] ?? ''];
  const rest = segments.slice(1);
  const idLength = COMMIT.test(rest[2] ?? '') ? 2 : COMMIT.test(rest[1] ?? '') ? 1 : 0;
  if (type === undefined || idLength === 0) {
    sendHfError(x.req, x.res, x.record, 404, undefined, 'Not found');
    return;
  }
  const id = decodeSegments(rest.slice(0, idLength));
  const commit = rest[idLength];
  const path = decodeSegments(rest.slice(idLength + 1));
  x.record.repoId = id;
  x.record.file = path;
  const context = { server: 'hf' as const, urlPath: x.url.pathname, repoId: id, file: path };
  if (answeredByFault(x, context)) return;
  const access = accessRepo(x, type, id, commit, true);
  if (access === undefined) return;
  const file = access.repo.files.get(path);
  if (file === undefined) {
    sendHfError(x.req, x.res, x.record, 404, 'EntryNotFound', 'Entry not found', { 'X-Repo-Commit': access.commit });
    return;
  }
  const sha1 = await x.state.digests.gitBlobSha1(file.source);
  await serveContent({
    req: x.req,
    res: x.res,
    record: x.record,
    source: file.source,
    etag: `"${sha1}"`,
    lastModified: file.lastModified,
    headers: { 'X-Repo-Commit': commitOf(access.repo), 'Content-Type': contentTypeOf(path) },
    faults: x.state.faults,
    faultContext: context,
    changeContent: (seed) => x.state.changeContent(access.repo, path, seed),
  });
}

function contentTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json; charset=utf-8';
  if (/\.(md|txt|yaml|yml|py)$/.test(path) || path.endsWith('.gitattributes')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
