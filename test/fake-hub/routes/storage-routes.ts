import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signStorage } from './civitai-routes';
import { answeredByRedirectFault } from '../faults';
import type { HubState } from '../hub-state';
import { sendBody } from '../request-log';
import { headerText } from '../header-text';
import { serveContent } from '../content/serve-content';

/**
 * Civitai's object storage (R2 in production): presigned URLs only, `Content-Disposition` from the signed query,
 * Range. It records any Authorization it receives so a test can assert that no token reached it.
 */
export async function answerStorage(state: HubState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record = state.log.start('storage', req, res);
  const url = new URL(req.url ?? '/', state.urls.storageUrl);
  const method = req.method ?? 'GET';
  const xmlError = (status: number, code: string, message?: string): void =>
    sendBody(
      res,
      record,
      status,
      { 'Content-Type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>${message ? `<Message>${message}</Message>` : ''}</Error>`,
      method,
    );
  const match = /^\/model\/(\d+)\/[^/]*\.([0-9a-f]{10})(\.[^./]*)?$/.exec(url.pathname);
  const version = match === null ? undefined : state.versions.get(Number(match[1]));
  const file = version?.files.find((candidate) => candidate.storageKey === match?.[2]);
  if (file !== undefined) {
    record.repoId = match?.[1];
    record.file = file.name;
  }
  const context = { server: 'storage' as const, urlPath: url.pathname, repoId: match?.[1], file: file?.name };
  if (answeredByRedirectFault(state.faults, res, record, context, method)) return;
  const fault = state.faults.take('fail', context);
  if (fault !== undefined) {
    sendBody(
      res,
      record,
      fault.status,
      fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) },
      `Injected failure ${fault.status}`,
      method,
    );
    return;
  }
  if (file === undefined || (method !== 'GET' && method !== 'HEAD')) {
    xmlError(404, 'NoSuchKey');
    return;
  }
  const signature = Buffer.from(url.searchParams.get('X-Amz-Signature') ?? '');
  const expected = Buffer.from(signStorage(state, url.pathname, url.searchParams.get('X-Amz-Date') ?? ''));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    xmlError(403, 'SignatureDoesNotMatch');
    return;
  }
  if (state.faults.take('expire-signature', context) !== undefined) {
    xmlError(403, 'AccessDenied', 'Request has expired');
    return;
  }
  await serveContent({
    req,
    res,
    record,
    source: file.source,
    etag: `"${createHash('md5').update(file.source.key).digest('hex')}"`,
    lastModified: new Date('2025-01-01T00:00:00Z'),
    headers: {
      'Content-Disposition': headerText(
        url.searchParams.get('response-content-disposition') ?? `attachment; filename="${file.name}"`,
      ),
      'Content-Type': 'application/octet-stream',
    },
    faults: state.faults,
    faultContext: context,
  });
}
