import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answeredByRedirectFault, type FaultContext } from '../faults';
import type { CivitaiFile, CivitaiVersion, HubState } from '../hub-state';
import { sendBody } from '../request-log';
import { civitaiVersionJson } from './civitai-version-json';
import type { HubExchange } from '../hub-exchange';

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

/** Civitai's own origin: downloads (307 to storage) and the model-version API. */
export async function answerCivitai(state: HubState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record = state.log.start('civitai', req, res);
  const url = new URL(req.url ?? '/', state.urls.civitaiUrl);
  const x: HubExchange = { state, req, res, record, url, method: req.method ?? 'GET' };
  const download = /^\/api\/download\/models\/(\d+)\/?$/.exec(url.pathname);
  const byId = /^\/api\/v1\/model-versions\/(\d+)\/?$/.exec(url.pathname);
  const byHash = /^\/api\/v1\/model-versions\/by-hash\/([^/]+)\/?$/.exec(url.pathname);
  const versionId = download?.[1] ?? byId?.[1];
  const context: FaultContext = { server: 'civitai', urlPath: url.pathname, repoId: versionId };
  if (answeredByFault(x, context)) return;
  if (download !== null) return downloadVersion(x, Number(download[1]));
  if (byId !== null) {
    const version = state.versions.get(Number(byId[1]));
    if (version === undefined) sendJson(x, 404, { error: `No model version with id ${byId[1]}` });
    else sendJson(x, 200, await civitaiVersionJson(state, version));
    return;
  }
  if (byHash !== null) {
    const version = await findByHash(state, decodeURIComponent(byHash[1]));
    if (version === undefined) sendJson(x, 404, { error: 'Model not found' });
    else sendJson(x, 200, await civitaiVersionJson(state, version));
    return;
  }
  sendJson(x, 404, { error: 'Not found' });
}

function answeredByFault(x: HubExchange, context: FaultContext): boolean {
  if (answeredByRedirectFault(x.state.faults, x.res, x.record, context, x.method)) return true;
  const fault = x.state.faults.take('fail', context);
  if (fault === undefined) return false;
  // Civitai's 429s come from the edge, usually without Retry-After.
  const headers: Record<string, string> =
    fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
  sendBody(
    x.res,
    x.record,
    fault.status,
    { 'Content-Type': 'text/plain', ...headers },
    `Injected failure ${fault.status}`,
    x.method,
  );
  return true;
}

async function findByHash(state: HubState, hash: string): Promise<CivitaiVersion | undefined> {
  const wanted = hash.toLowerCase();
  for (const version of state.versions.values()) {
    for (const file of version.files) {
      const sha256 = await state.digests.sha256(file.source);
      if (sha256 === wanted || sha256.slice(0, 10) === wanted) return version;
    }
  }
  return undefined;
}

/** The token: the Bearer header wins over `?token=`; an unknown key counts as anonymous. */
function civitaiToken(x: HubExchange): string | undefined {
  const header = /^Bearer\s+(\S+)$/i.exec(x.req.headers.authorization ?? '');
  const token = header?.[1] ?? x.url.searchParams.get('token') ?? undefined;
  return token !== undefined && x.state.civitaiTokens.has(token) ? token : undefined;
}

function pickFile(version: CivitaiVersion, query: URLSearchParams): CivitaiFile | undefined {
  const fileId = query.get('fileId');
  if (fileId !== null) return version.files.find((file) => String(file.id) === fileId);
  const type = query.get('type');
  const format = query.get('format');
  const size = query.get('size');
  const fp = query.get('fp');
  const candidates = version.files.filter(
    (file) =>
      (type === null || file.type === type) &&
      (format === null || file.format === format) &&
      (size === null || file.sizeLabel === size) &&
      (fp === null || file.fp === fp),
  );
  return candidates.find((file) => file.primary) ?? candidates[0];
}

async function downloadVersion(x: HubExchange, versionId: number): Promise<void> {
  const version = x.state.versions.get(versionId);
  if (version === undefined) {
    sendJson(x, 404, { error: 'Model not found' });
    return;
  }
  x.record.repoId = String(versionId);
  if (version.spec.archived === true) {
    sendJson(x, 410, {
      error: 'Model archived',
      message: 'This model has been archived and is no longer available for download',
    });
    return;
  }
  const token = civitaiToken(x);
  const granted = token !== undefined && (version.tokensWithAccess.size === 0 || version.tokensWithAccess.has(token));
  const mode = version.spec.requiresAuth;
  if (mode === 'disabled') {
    sendJson(x, 401, {
      error: 'Unauthorized',
      message: 'The creator of this asset has disabled downloads on this file',
    });
    return;
  }
  if (mode === 'login' && token === undefined) {
    sendJson(x, 401, {
      error: 'Unauthorized',
      message: 'The creator of this asset requires you to be logged in to download it',
    });
    return;
  }
  if (mode === 'early-access' && !(token !== undefined && version.tokensWithAccess.has(token))) {
    const deadline = new Date(Date.now() + 7 * 86400_000).toISOString();
    sendJson(x, 403, {
      error: 'Early Access',
      deadline,
      message: 'This asset is in Early Access. You can use Buzz access it now!',
    });
    return;
  }
  if (mode === 'login' && !granted) {
    sendJson(x, 403, { error: 'You do not have access to download this file' });
    return;
  }
  const file = pickFile(version, x.url.searchParams);
  if (file === undefined) {
    sendJson(x, 404, { error: 'File not found' });
    return;
  }
  x.record.file = file.name;
  const location = storageLocation(x.state, versionId, file);
  sendBody(
    x.res,
    x.record,
    307,
    { Location: location, 'Cache-Control': 'no-store', 'Content-Type': 'text/plain' },
    '',
    x.method,
  );
}

/** A presigned-looking R2 URL whose file name travels in `response-content-disposition`. */
export function storageLocation(state: HubState, versionId: number, file: CivitaiFile): string {
  const dot = file.name.lastIndexOf('.');
  const stem = dot > 0 ? file.name.slice(0, dot) : file.name;
  const ext = dot > 0 ? file.name.slice(dot) : '';
  const pathname = `/model/${versionId}/${encodeURIComponent(stem)}.${file.storageKey}${ext}`;
  const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
    'X-Amz-Credential': `FAKEKEY/${date.slice(0, 8)}/auto/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': '86400',
    'X-Amz-SignedHeaders': 'host',
    'response-content-disposition': `attachment; filename="${file.name}"`,
    'x-id': 'GetObject',
  });
  query.set('X-Amz-Signature', signStorage(state, pathname, date));
  return `${state.urls.storageUrl}${pathname}?${query.toString().replace(/\+/g, '%20')}`;
}

export function signStorage(state: HubState, pathname: string, date: string): string {
  return createHmac('sha256', state.secret).update(`storage\n${pathname}\n${date}`).digest('hex');
}
