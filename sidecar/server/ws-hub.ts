import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { zClientMessage, TOKEN_PAGES, type ClientMessage, type ServerMessage } from '../../shared/protocol';
import { TERMINAL_JOB_STATES, type Job } from '../../shared/job';
import type { Depot, AuthRequiredEvent } from '../services/depot/create-depot';
import { errorBody } from './send-error';
import type { OriginGuard } from './origin-guard';
import { describeZodError } from './describe-zod-error';
import type { GivenTokens } from './given-tokens';
import { judgeAccess } from './judge-access';
import type { ProxyKey } from './proxy-key';
import type { RefusalLog } from './refusal-log';

export interface WsHubOptions {
  depot: Depot;
  guard: OriginGuard;
  /** Told of every job started and token given here, so the logger can redact the tokens the vault holds. */
  givenTokens: GivenTokens;
  version: string;
  /** The port the server listens on, read at each upgrade (it is known only after `listen`). */
  port: () => number;
  /** The key of ComfyUI's custom node, which forwards browsers to `/model-depot/ws`; undefined when it was not written. */
  proxyKey: ProxyKey | undefined;
  /** Told of every refused upgrade. */
  logRefusal: RefusalLog;
  /** Largest message answered with an `error` (the connection stays up). Default 20 MiB, as the HTTP body limit. */
  maxMessageBytes?: number;
  /** Least time between two `progress` messages of one job; terminal states are always sent at once. Default 250 ms. */
  progressIntervalMs?: number;
}

export interface WsHub {
  /**
   * Handles an HTTP upgrade: `/ws` from an allowed Host and Origin, or `/model-depot/ws` with the custom node's key;
   * else a 403/404 and the socket closed.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every connection. */
  close(): Promise<void>;
}

interface PendingProgress {
  timer?: NodeJS.Timeout;
  lastSent: number;
  latest?: Job;
}

function refuseUpgrade(socket: Duplex, status: 403 | 404, message: string): void {
  const body = JSON.stringify({ error: { code: status === 403 ? 'ORIGIN_REFUSED' : 'NOT_FOUND', message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/**
 * The `/ws` hub: parses every client message with `zClientMessage`, answers the requester, and fans job events out to
 * every client (throttled per job). `authRequired` goes only to the client that started the jobs. Thin: the work
 * lives in the depot.
 */
export function createWsHub(options: WsHubOptions): WsHub {
  const { depot, guard } = options;
  const maxMessageBytes = options.maxMessageBytes ?? 20 * 1024 * 1024;
  const progressIntervalMs = options.progressIntervalMs ?? 250;
  // Above this ws itself closes the socket (1009); between maxMessageBytes and it, the client gets an `error`.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes + 1024 * 1024 });
  const clients = new Map<string, WebSocket>();
  const pending = new Map<string, PendingProgress>();

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const broadcast = (message: ServerMessage): void => {
    const text = JSON.stringify(message);
    for (const ws of clients.values()) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };

  const flushProgress = (jobId: string): void => {
    const entry = pending.get(jobId);
    if (!entry?.latest) return;
    entry.timer = undefined;
    entry.lastSent = Date.now();
    const job = entry.latest;
    entry.latest = undefined;
    broadcast({ type: 'progress', job });
  };

  const onProgress = (job: Job): void => {
    if (TERMINAL_JOB_STATES.has(job.state)) return; // jobDone / jobFailed carry the final state
    const entry = pending.get(job.id) ?? { lastSent: 0 };
    pending.set(job.id, entry);
    entry.latest = job;
    const wait = entry.lastSent + progressIntervalMs - Date.now();
    if (wait <= 0 && entry.timer === undefined) flushProgress(job.id);
    else if (entry.timer === undefined) entry.timer = setTimeout(() => flushProgress(job.id), Math.max(wait, 0));
  };
  const onTerminal =
    (type: 'jobDone' | 'jobFailed') =>
    (job: Job): void => {
      const entry = pending.get(job.id);
      if (entry?.timer) clearTimeout(entry.timer);
      pending.delete(job.id);
      broadcast({ type, job });
    };
  const onAuthRequired = (event: AuthRequiredEvent): void => {
    if (event.clientId === undefined) return;
    const ws = clients.get(event.clientId);
    if (!ws) return;
    send(ws, {
      type: 'authRequired',
      provider: event.provider,
      jobIds: event.jobIds,
      filenames: event.filenames,
      reason: event.reason,
      accessUrl: event.accessUrl,
      tokenUrl: TOKEN_PAGES[event.provider],
      message: event.message,
    });
  };
  const unsubscribe = [
    depot.on('progress', onProgress),
    depot.on('jobDone', onTerminal('jobDone')),
    depot.on('jobFailed', onTerminal('jobFailed')),
    depot.on('authRequired', onAuthRequired),
  ];

  const handle = async (clientId: string, ws: WebSocket, message: ClientMessage): Promise<void> => {
    switch (message.type) {
      case 'check': {
        if (message.workflow === undefined && message.dependencies === undefined && message.input === undefined) {
          send(ws, errorMessage(message.id, 'BAD_INPUT', 'check needs a workflow or a dependencies section.'));
          return;
        }
        const input = message.input ?? {
          ...(message.workflow === undefined ? {} : { workflow: message.workflow }),
          ...(message.dependencies === undefined ? {} : { dependencies: message.dependencies }),
        };
        const picks = message.picks === undefined ? undefined : new Map(Object.entries(message.picks));
        const result = await depot.check(input, {
          ...(message.catalogs && { catalogs: message.catalogs }),
          ...(picks && { picks }),
          ...(message.remote === undefined ? {} : { remote: message.remote }),
          ...(message.all === undefined ? {} : { all: message.all }),
        });
        send(ws, { type: 'checkResult', id: message.id, result });
        return;
      }
      case 'install': {
        const { tokens, waitForToken } = message;
        const jobs = await depot.install(message.items, { clientId, tokens, waitForToken });
        options.givenTokens.started(clientId, jobs, tokens);
        send(ws, { type: 'installStarted', id: message.id, jobs });
        return;
      }
      case 'token': {
        const resumed = depot.provideToken(message.provider, message.token, { clientId });
        options.givenTokens.given(message.provider, message.token, clientId, resumed);
        return;
      }
      case 'cancel':
        if (message.jobId !== undefined) {
          if (!depot.cancel(message.jobId)) send(ws, errorMessage(message.id, 'NOT_FOUND', `No job ${message.jobId}.`));
        } else if (message.provider !== undefined) depot.cancelWaiting(message.provider, clientId);
        else send(ws, errorMessage(message.id, 'BAD_INPUT', 'cancel needs a jobId or a provider.'));
        return;
      case 'setLimit':
        depot.setLimit(message.kbps);
        return;
      case 'resetMetadataCache':
        await depot.resetMetadataCache();
        send(ws, { type: 'metadataCacheReset', id: message.id });
        return;
    }
  };

  const onMessage = (clientId: string, ws: WebSocket, data: RawData, isBinary: boolean): void => {
    if (isBinary) {
      send(ws, errorMessage(undefined, 'BAD_INPUT', 'Messages are JSON text frames; a binary frame was ignored.'));
      return;
    }
    if (byteLength(data) > maxMessageBytes) {
      send(ws, errorMessage(undefined, 'BAD_INPUT', `Message is over ${maxMessageBytes} bytes; it was ignored.`));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(textOf(data));
    } catch {
      send(ws, errorMessage(undefined, 'BAD_INPUT', 'Message is not valid JSON; it was ignored.'));
      return;
    }
    const parsed = zClientMessage.safeParse(json);
    if (!parsed.success) {
      send(ws, errorMessage(idOf(json), 'BAD_INPUT', `Message ignored: ${describeZodError(parsed.error)}`));
      return;
    }
    handle(clientId, ws, parsed.data).catch((error: unknown) => {
      const { body } = errorBody(error);
      send(ws, { type: 'error', id: parsed.data.id, error: body.error });
    });
  };

  wss.on('connection', (ws: WebSocket) => {
    const clientId = randomUUID();
    clients.set(clientId, ws);
    ws.on('message', (data, isBinary) => onMessage(clientId, ws, data, isBinary));
    const gone = (): void => {
      if (!clients.delete(clientId)) return;
      // Nobody is left to answer this client's token dialogs: its waiting jobs end instead of waiting forever.
      depot.cancelWaiting('huggingface', clientId);
      depot.cancelWaiting('civitai', clientId);
    };
    ws.on('close', gone);
    // A socket error (bad frame, too big) ends only this connection.
    ws.on('error', gone);
    send(ws, { type: 'hello', version: options.version, jobs: depot.jobs() });
  });

  return {
    handleUpgrade(req, socket, head) {
      const access = judgeAccess({
        url: req.url ?? '',
        headers: req.headers,
        guard,
        proxyKey: options.proxyKey,
        port: options.port(),
        checkOrigin: true,
      });
      if (!access.allowed) {
        options.logRefusal(access.refusal, { method: req.method ?? 'GET', url: req.url ?? '', via: 'websocket' });
        return refuseUpgrade(socket, 403, access.refusal.message);
      }
      const path = access.url.split('?')[0];
      if (path !== '/ws') return refuseUpgrade(socket, 404, 'The WebSocket is at /ws.');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close() {
      for (const off of unsubscribe) off();
      for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
      pending.clear();
      for (const ws of clients.values()) ws.close(1001, 'sidecar shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of clients.values()) ws.terminate();
      clients.clear();
    },
  };
}

function errorMessage(id: string | undefined, code: string, message: string): ServerMessage {
  return { type: 'error', id, error: { code, message } };
}

/** The `id` of a message that failed to parse, when it has a usable one, so the client can match the error. */
function idOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('id' in json)) return undefined;
  const id: unknown = json.id;
  return typeof id === 'string' && id.length <= 200 ? id : undefined;
}
