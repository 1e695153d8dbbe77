import { createHash } from 'node:crypto';
import type { RepoType } from '../fake-hub-types';
import { lfsPointer } from '../content/generated-content';
import { accessRepo, answeredByFault, decodeSegments, hfToken, TYPE_PREFIX } from './hf-access';
import { sendHfError } from './hf-errors';
import type { Repo, RepoFile } from '../hub-state';
import { sendBody } from '../request-log';
import type { HubExchange } from '../hub-exchange';

const API_TYPES: Record<string, RepoType> = { models: 'model', datasets: 'dataset', spaces: 'space' };
const KEYWORDS = new Set(['tree', 'paths-info', 'revision']);

/** `/api/...`: tree listing, paths-info, repository info, whoami. `segments` start after `api`. */
export async function answerHfApi(x: HubExchange, segments: string[]): Promise<void> {
  const urlPath = x.url.pathname;
  if (segments[0] === 'whoami-v2') {
    if (answeredByFault(x, { server: 'hf', urlPath })) return;
    return whoami(x);
  }
  const type = API_TYPES[segments[0] ?? ''];
  const rest = segments.slice(1);
  const idLength =
    rest.length === 2 || KEYWORDS.has(rest[2] ?? '') ? 2 : rest.length === 1 || KEYWORDS.has(rest[1] ?? '') ? 1 : 0;
  if (type === undefined || idLength === 0) {
    if (answeredByFault(x, { server: 'hf', urlPath })) return;
    sendHfError(x.req, x.res, x.record, 404, undefined, 'Not found');
    return;
  }
  const id = decodeSegments(rest.slice(0, idLength));
  x.record.repoId = id;
  if (answeredByFault(x, { server: 'hf', urlPath, repoId: id })) return;
  const action = rest[idLength];
  const revision = rest[idLength + 1] === undefined ? undefined : decodeURIComponent(rest[idLength + 1]);
  if (action === undefined || action === 'revision') {
    const access = accessRepo(x, type, id, revision, false);
    if (access !== undefined) await repoInfo(x, access.repo, access.commit);
    return;
  }
  if (revision === undefined) {
    sendHfError(x.req, x.res, x.record, 404, undefined, 'Not found');
    return;
  }
  const access = accessRepo(x, type, id, revision, false);
  if (access === undefined) return;
  if (action === 'tree') await tree(x, access.repo, access.commit, decodeSegments(rest.slice(idLength + 2)));
  else if (action === 'paths-info' && x.method === 'POST') await pathsInfo(x, access.repo, access.commit);
  else sendHfError(x.req, x.res, x.record, 404, undefined, 'Not found');
}

function sendJson(x: HubExchange, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(
    x.res,
    x.record,
    status,
    { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    JSON.stringify(value),
    x.method,
  );
}

function whoami(x: HubExchange): void {
  const { token, invalid } = hfToken(x);
  if (invalid || token === undefined) {
    sendHfError(x.req, x.res, x.record, 401, undefined, 'Invalid credentials in Authorization header');
    return;
  }
  sendJson(x, 200, {
    type: 'user',
    name: 'fake-user',
    auth: { type: 'access_token', accessToken: { displayName: 'fake', role: 'read' } },
  });
}

/** Every directory implied by the file paths. */
function directoriesOf(repo: Repo): Set<string> {
  const dirs = new Set<string>();
  for (const path of repo.files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

async function fileEntry(
  x: HubExchange,
  file: RepoFile,
  commit: string,
  expand: boolean,
): Promise<Record<string, unknown>> {
  const extra = expand
    ? { lastCommit: { id: commit, title: 'Upload files', date: file.lastModified.toISOString() } }
    : {};
  if (!file.lfs) {
    return {
      type: 'file',
      oid: await x.state.digests.gitBlobSha1(file.source),
      size: file.source.size,
      path: file.path,
      ...extra,
    };
  }
  const sha256 = await x.state.digests.sha256(file.source);
  const pointer = lfsPointer(sha256, file.source.size);
  const oid = createHash('sha1')
    .update(`blob ${Buffer.byteLength(pointer)}\0${pointer}`)
    .digest('hex');
  return {
    type: 'file',
    oid,
    size: file.source.size,
    path: file.path,
    lfs: { oid: sha256, size: file.source.size, pointerSize: Buffer.byteLength(pointer) },
    ...extra,
  };
}

function directoryEntry(path: string, commit: string): Record<string, unknown> {
  return { type: 'directory', oid: createHash('sha1').update(`${commit}/${path}`).digest('hex'), size: 0, path };
}

/** `tree/{rev}[/{path}]`: entries below a folder, paginated with an absolute `Link: <...>; rel="next"`. */
async function tree(x: HubExchange, repo: Repo, commit: string, base: string): Promise<void> {
  const recursive = x.url.searchParams.get('recursive') === 'true' || x.url.searchParams.get('recursive') === '1';
  const expand = x.url.searchParams.get('expand') === 'true' || x.url.searchParams.get('expand') === '1';
  const dirs = directoriesOf(repo);
  const folder = base.replace(/\/+$/, '');
  if (folder !== '' && !dirs.has(folder)) {
    sendHfError(x.req, x.res, x.record, 404, 'EntryNotFound', `${folder} does not exist on "${repo.revision}"`, {
      'X-Repo-Commit': commit,
    });
    return;
  }
  const below = (path: string): boolean => {
    if (folder !== '' && !path.startsWith(`${folder}/`)) return false;
    const rest = folder === '' ? path : path.slice(folder.length + 1);
    return recursive || !rest.includes('/');
  };
  const paths = [
    ...[...dirs].filter(below).map((path) => ({ path, dir: true })),
    ...[...repo.files.keys()].filter(below).map((path) => ({ path, dir: false })),
  ];
  paths.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const pageSize = Math.min(
    expand ? x.state.treePageSizeExpanded : x.state.treePageSize,
    Number(x.url.searchParams.get('limit') ?? Number.POSITIVE_INFINITY) || Number.POSITIVE_INFINITY,
  );
  const offset = decodeCursor(x.url.searchParams.get('cursor'));
  const page = paths.slice(offset, offset + pageSize);
  const entries = [];
  for (const { path, dir } of page) {
    const file = repo.files.get(path);
    entries.push(dir || file === undefined ? directoryEntry(path, commit) : await fileEntry(x, file, commit, expand));
  }
  const headers: Record<string, string> = { 'X-Repo-Commit': commit };
  if (offset + pageSize < paths.length) {
    const next = new URL(x.url.pathname, x.state.urls.hfUrl);
    for (const [key, value] of x.url.searchParams) if (key !== 'cursor') next.searchParams.append(key, value);
    next.searchParams.set(
      'cursor',
      Buffer.from(JSON.stringify({ file_name: paths[offset + pageSize].path, offset: offset + pageSize })).toString(
        'base64url',
      ),
    );
    headers.Link = `<${next.toString()}>; rel="next"`;
  }
  sendJson(x, 200, entries, headers);
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null) return 0;
  const match = /"offset":(\d+)/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? 0 : Number(match[1]);
}

/** `POST paths-info/{rev}` with `{"paths":[...]}` as JSON, urlencoded or multipart form: the entries that exist. */
async function pathsInfo(x: HubExchange, repo: Repo, commit: string): Promise<void> {
  const body = await readBody(x);
  const contentType = x.req.headers['content-type'] ?? '';
  let paths: string[] = [];
  let expand = false;
  if (contentType.includes('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed === 'object' && parsed !== null && 'paths' in parsed && Array.isArray(parsed.paths)) {
      paths = parsed.paths.filter((p: unknown): p is string => typeof p === 'string');
    }
    expand = typeof parsed === 'object' && parsed !== null && 'expand' in parsed && parsed.expand === true;
  } else {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    paths = [...form.getAll('paths'), ...form.getAll('paths[]')].filter((p): p is string => typeof p === 'string');
    expand = form.get('expand') === 'true';
  }
  const dirs = directoriesOf(repo);
  const entries = [];
  for (const path of paths) {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const file = repo.files.get(clean);
    if (file !== undefined) entries.push(await fileEntry(x, file, commit, expand));
    else if (dirs.has(clean)) entries.push(directoryEntry(clean, commit));
  }
  sendJson(x, 200, entries, { 'X-Repo-Commit': commit });
}

function readBody(x: HubExchange): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    x.req.on('data', (chunk: Buffer) => chunks.push(chunk));
    x.req.on('end', () => resolve(Buffer.concat(chunks)));
    x.req.on('error', reject);
  });
}

/** `GET /api/{type}s/{repo}[/revision/{rev}][?blobs=true]`: the repository's info with its siblings. */
async function repoInfo(x: HubExchange, repo: Repo, commit: string): Promise<void> {
  const blobs = x.url.searchParams.get('blobs') === 'true' || x.url.searchParams.get('blobs') === '1';
  const siblings = [];
  let usedStorage = 0;
  for (const file of repo.files.values()) {
    usedStorage += file.source.size;
    if (!blobs) {
      siblings.push({ rfilename: file.path });
      continue;
    }
    const entry = await fileEntry(x, file, commit, false);
    const sha256 = file.lfs ? await x.state.digests.sha256(file.source) : undefined;
    siblings.push({
      rfilename: file.path,
      size: file.source.size,
      blobId: entry.oid,
      ...(sha256 === undefined
        ? {}
        : { lfs: { sha256, size: file.source.size, pointerSize: lfsPointer(sha256, file.source.size).length } }),
    });
  }
  const lastModified = new Date(
    Math.max(...[...repo.files.values()].map((f) => f.lastModified.getTime()), 0),
  ).toISOString();
  sendJson(x, 200, {
    _id: createHash('sha1').update(repo.id).digest('hex').slice(0, 24),
    id: repo.id,
    ...(repo.type === 'model' ? { modelId: repo.id } : {}),
    ...(repo.type === 'space' ? { sdk: 'gradio' } : {}),
    author: repo.id.includes('/') ? repo.id.split('/')[0] : undefined,
    sha: commit,
    lastModified,
    createdAt: lastModified,
    private: repo.private,
    gated: repo.gated,
    disabled: false,
    downloads: 0,
    likes: 0,
    tags: [],
    siblings,
    usedStorage,
    url: `${x.state.urls.hfUrl}/${TYPE_PREFIX[repo.type]}${repo.id}`,
  });
}
