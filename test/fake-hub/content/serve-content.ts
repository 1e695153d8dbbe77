import type { IncomingMessage, ServerResponse } from 'node:http';
import { BLOCK_SIZE, type ContentSource } from './generated-content';
import type { FaultBook, FaultContext } from '../faults';
import type { RequestRecord } from '../fake-hub-types';
import { sendBody } from '../request-log';

export interface ServeContentOptions {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  source: ContentSource;
  /** Quoted entity tag of the current bytes (compared with If-Range). */
  etag: string;
  lastModified: Date;
  /** Extra response headers (X-Repo-Commit, Content-Disposition...). */
  headers: Record<string, string>;
  faults: FaultBook;
  faultContext: FaultContext;
  /** Called by a `change-content` fault: replaces the file's bytes. */
  changeContent?: (seed: string | number) => void;
}

/** Parsed `Range: bytes=...`: only the first range of a list is honoured, as most CDNs do for downloads. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)/.exec(header.trim());
  if (match === null) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sends a file's bytes with Range/If-Range semantics and the active byte faults, respecting backpressure, and counts
 * only the bytes whose write completed.
 */
export async function serveContent(options: ServeContentOptions): Promise<void> {
  const { req, res, record, source, faults, faultContext } = options;
  const method = req.method ?? 'GET';
  const size = source.size;
  const ignoreRange = faults.take('ignore-range', faultContext) !== undefined;
  const ifRange = req.headers['if-range'];
  const ifRangeHolds =
    ifRange === undefined || ifRange === options.etag || ifRange === options.lastModified.toUTCString();
  const range = ignoreRange || !ifRangeHolds ? undefined : parseRange(req.headers.range, size);
  const common = {
    'Accept-Ranges': 'bytes',
    ETag: options.etag,
    'Last-Modified': options.lastModified.toUTCString(),
    ...options.headers,
  };
  if (range === 'unsatisfiable') {
    sendBody(
      res,
      record,
      416,
      { ...common, 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain' },
      'Requested Range Not Satisfiable',
      method,
    );
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = end - start + 1;
  const status = range === undefined ? 200 : 206;
  res.writeHead(status, {
    'Content-Type': 'application/octet-stream',
    ...common,
    'Content-Length': length,
    ...(range === undefined ? {} : { 'Content-Range': `bytes ${start}-${end}/${size}` }),
  });
  record.status = status;
  if (method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  const plan = {
    drop: faults.take('drop-after', faultContext)?.bytes,
    stall: faults.take('stall-after', faultContext)?.bytes,
    corrupt: faults.take('corrupt', faultContext)?.offset,
    rate: faults.take('slow', faultContext)?.bytesPerSecond,
    change: faults.take('change-content', faultContext),
  };
  await streamBody(options, start, length, plan);
}

const POOL_SIZE = 4;

interface StreamPlan {
  drop?: number;
  stall?: number;
  corrupt?: number;
  rate?: number;
  change?: { afterBytes: number; seed: string | number };
}

async function streamBody(
  options: ServeContentOptions,
  start: number,
  length: number,
  plan: StreamPlan,
): Promise<void> {
  const { res, record, source } = options;
  let closed = false;
  const whenClosed = new Promise<void>((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve();
    });
  });
  // The body bytes after which the response is cut (drop/change) or frozen (stall).
  const cutAt = Math.min(length, plan.drop ?? Infinity, plan.change?.afterBytes ?? Infinity);
  const limit = Math.min(cutAt, plan.stall ?? Infinity);
  const startedAt = Date.now();
  // A few reused buffers instead of one new 1 MiB buffer per write: allocation and GC, not copying, limited the
  // serving rate. A buffer is refilled only once the socket has taken its previous bytes.
  const pool: Buffer[] = [];
  const flushed: Array<Promise<void>> = [];
  let sent = 0;
  let lastWrite: Promise<void> = Promise.resolve();
  for (let turn = 0; sent < limit && !closed; turn += 1) {
    const step = plan.rate === undefined ? BLOCK_SIZE : Math.max(1, Math.min(BLOCK_SIZE, Math.floor(plan.rate / 20)));
    const slot = turn % POOL_SIZE;
    await Promise.race([flushed[slot], whenClosed]);
    if (closed) break;
    pool[slot] ??= Buffer.allocUnsafe(BLOCK_SIZE);
    const chunk = pool[slot].subarray(0, source.readInto(start + sent, pool[slot], Math.min(step, limit - sent)));
    if (plan.corrupt !== undefined && plan.corrupt >= start + sent && plan.corrupt < start + sent + chunk.length) {
      chunk[plan.corrupt - start - sent] ^= 0xff;
    }
    sent += chunk.length;
    lastWrite = new Promise<void>((resolve) => {
      res.write(chunk, (error) => {
        if (error === undefined || error === null) record.bytesSent += chunk.length;
        resolve();
      });
    });
    flushed[slot] = lastWrite;
    if (res.writableNeedDrain) await waitForDrain(res);
    if (plan.rate !== undefined) {
      const dueMs = (sent / plan.rate) * 1000 - (Date.now() - startedAt);
      if (dueMs > 0) await new Promise((resolve) => setTimeout(resolve, dueMs));
    }
  }
  if (closed) return;
  if (sent >= length) {
    res.end();
    return;
  }
  await Promise.race([lastWrite, whenClosed]);
  if (plan.stall !== undefined && sent >= plan.stall && sent < cutAt) {
    // Stalled: the socket stays open with nothing more to read until the client gives up (or the hub closes).
    return;
  }
  if (plan.change !== undefined && options.changeContent !== undefined) options.changeContent(plan.change.seed);
  res.socket?.destroy();
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
