import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BytesFilter, RequestRecord, ServerName } from './fake-hub-types';

/** Records every request a fake hub answers, as it happens (a record grows while its body streams). */
export class RequestLog {
  readonly records: RequestRecord[] = [];

  constructor(private readonly isKnownToken: (server: ServerName, token: string) => boolean) {}

  /** Starts the record of `req`; the status and the flushed byte count are filled in as the response goes out. */
  start(server: ServerName, req: IncomingMessage, res: ServerResponse): RequestRecord {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = key === 'token' ? '[redacted]' : value;
    const authorization = req.headers.authorization;
    const [scheme, credential] = authorization === undefined ? [] : authorization.split(/\s+/, 2);
    const queryToken = server === 'civitai' ? url.searchParams.get('token') : null;
    const token = credential ?? queryToken ?? undefined;
    const record: RequestRecord = {
      server,
      host: req.headers.host ?? '',
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      range: req.headers.range,
      ifRange: header(req, 'if-range'),
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
      hasAuthorization: authorization !== undefined,
      authScheme: scheme,
      hasTokenQuery: url.searchParams.has('token'),
      tokenKnown: token === undefined ? undefined : this.isKnownToken(server, token),
      tokenHash: token === undefined ? undefined : tokenHash(token),
      status: 0,
      bytesSent: 0,
      done: false,
    };
    this.records.push(record);
    const finish = (): void => {
      record.status = res.statusCode;
      record.done = true;
    };
    res.on('finish', finish);
    res.on('close', finish);
    return record;
  }

  bytesServed(filter: BytesFilter = {}): number {
    let total = 0;
    for (const record of this.records) {
      if (filter.server !== undefined && record.server !== filter.server) continue;
      if (filter.path !== undefined && !record.path.startsWith(filter.path)) continue;
      if (filter.file !== undefined && record.file !== filter.file) continue;
      total += record.bytesSent;
    }
    return total;
  }

  reset(): void {
    this.records.length = 0;
  }
}

/** How the log names a token: enough to tell tokens apart, never the token itself. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Ends a response with a small body and counts it once it is flushed. */
export function sendBody(
  res: ServerResponse,
  record: RequestRecord,
  status: number,
  headers: Record<string, string | number>,
  body: string | Buffer,
  method: string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Length': bytes.length, ...headers });
  record.status = status;
  if (method === 'HEAD') {
    res.end();
    return;
  }
  res.end(bytes, () => {
    record.bytesSent += bytes.length;
  });
}
