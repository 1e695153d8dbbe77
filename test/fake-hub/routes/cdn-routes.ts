import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answeredByFault } from './hf-access';
import { signCdn } from './hf-routes';
import type { HubState } from '../hub-state';
import { sendBody } from '../request-log';
import { headerText } from '../header-text';
import { serveContent } from '../content/serve-content';
import type { HubExchange } from '../hub-exchange';

/**
 * The HF CDN origin: the signed URLs handed out by resolve 302s. Its ETag is NOT the SHA-256 (reference: a xet hash),
 * and an unsigned or expired URL is refused with 403 like CloudFront does.
 */
export async function answerCdn(state: HubState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record = state.log.start('cdn', req, res);
  const url = new URL(req.url ?? '/', state.urls.cdnUrl);
  const method = req.method ?? 'GET';
  const x: HubExchange = { state, req, res, record, url, method };
  const fileKey = url.pathname.split('/').pop() ?? '';
  const target = state.cdnFiles.get(fileKey);
  if (target !== undefined) {
    record.repoId = target.repo.id;
    record.file = target.path;
  }
  const context = { server: 'cdn' as const, urlPath: url.pathname, repoId: target?.repo.id, file: target?.path };
  if (answeredByFault(x, context)) return;
  const xmlError = (status: number, code: string, message: string): void =>
    sendBody(
      res,
      record,
      status,
      { 'Content-Type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      method,
    );
  const file = target?.repo.files.get(target.path);
  if (target === undefined || file === undefined || (method !== 'GET' && method !== 'HEAD')) {
    xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
    return;
  }
  const expires = url.searchParams.get('Expires') ?? '';
  const signature = Buffer.from(url.searchParams.get('Signature') ?? '');
  const expected = Buffer.from(signCdn(state, url.pathname, expires));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    xmlError(403, 'AccessDenied', 'Access denied');
    return;
  }
  if (Number(expires) < Date.now() / 1000 || state.faults.take('expire-signature', context) !== undefined) {
    xmlError(403, 'AccessDenied', 'Request has expired');
    return;
  }
  const etag = `"${createHash('sha1').update(`xet:${file.source.key}:${file.version}`).digest('hex')}"`;
  await serveContent({
    req,
    res,
    record,
    source: file.source,
    etag,
    lastModified: file.lastModified,
    headers: {
      'Content-Type': url.searchParams.get('response-content-type') ?? 'application/octet-stream',
      'Content-Disposition': headerText(url.searchParams.get('response-content-disposition') ?? 'inline'),
      'Cache-Control': 'public, max-age=604800, immutable, s-maxage=604800',
      'X-Cache': 'Hit from cloudfront',
      Via: '1.1 fake.cloudfront.net (CloudFront)',
    },
    faults: state.faults,
    faultContext: context,
    changeContent: (seed) => state.changeContent(target.repo, target.path, seed),
  });
}
