import { DepotError } from '../../shared/errors';
import type { CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import type { Requirement } from '../../shared/requirement';
import { type ClientMessage, type ServerMessage, zClientMessage, zServerMessage } from '../../shared/protocol';
import { diagnoseSidecar, type SidecarDiagnosis } from './diagnose-sidecar';
import { sidecarSocketUrl } from './sidecar-socket-url';

/**
 * The part of the browser's WebSocket the client uses (the handler types mirror lib.dom's, so the browser's and
 * jsdom's constructors fit as they are).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type SidecarStatus = 'connecting' | 'open' | 'closed';

export interface SidecarStatusInfo {
  /** Failed connection attempts in a row (0 once connected). */
  attempt: number;
  /** The URL could not even be used to open a socket (a typo in the setting). */
  invalidUrl?: boolean;
  /** With `closed`: whether the sidecar refused the connection or is not running, and what to do about it. */
  diagnosis?: SidecarDiagnosis;
}

export interface BackoffOptions {
  /** First retry delay in ms (default 500). */
  initialMs?: number;
  /** Longest delay in ms (default 15000): a sidecar started later is found within that time. */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
}

export interface SidecarClientOptions {
  /** The user's setting: empty for `/model-depot/ws` on the page's own origin (through ComfyUI), or a direct URL. */
  url: string;
  /** The page's address, which an empty `url` resolves against. Default `location.href`. */
  pageUrl?: string;
  /** Asks `/health` why a connection failed (refused or not running). Default the global fetch; none: close codes only. */
  fetch?: typeof fetch;
  /** The WebSocket constructor: the browser's, or `ws`/jsdom's in tests. */
  WebSocket: WebSocketConstructor;
  /** Every valid message from the sidecar, answers included. */
  onMessage?(message: ServerMessage): void;
  onStatus?(status: SidecarStatus, info: SidecarStatusInfo): void;
  backoff?: BackoffOptions;
  /** Timers (default: the global ones); tests pass fakes. */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Request ids (default: a per-client counter with a random prefix). */
  newId?: () => string;
}

export interface SidecarClient {
  start(): void;
  stop(): void;
  /** Switches to another URL at once (the setting changed). */
  setUrl(url: string): void;
  status(): SidecarStatus;
  /** Sends now if connected; returns false when not (never queued: a token must not wait in memory). */
  send(message: ClientMessage): boolean;
  /** Asks what a workflow needs. Waits for a connection; re-asked after a reconnect. */
  check(input: { workflow?: unknown; dependencies?: unknown }): Promise<CheckResult>;
  /** Starts jobs. Waits for a connection; fails if the connection drops before the sidecar answers. */
  install(items: Requirement[]): Promise<Job[]>;
}

interface PendingRequest {
  message: ClientMessage;
  /** Safe to send again after a reconnect (a check is; an install might start jobs twice). */
  resend: boolean;
  sent: boolean;
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
}

const OPEN = 1;

/**
 * The extension's WebSocket to the sidecar: reconnects with exponential backoff, parses every message with the
 * shared zod schemas (anything else is dropped), and matches answers to requests by id.
 */
export function createSidecarClient(options: SidecarClientOptions): SidecarClient {
  const backoff = { initialMs: 500, maxMs: 15_000, factor: 2, ...options.backoff };
  const schedule = options.setTimeout ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const unschedule =
    options.clearTimeout ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const idPrefix = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const newId = options.newId ?? (() => `${idPrefix}-${++counter}`);

  let url = options.url;
  const pageUrl = options.pageUrl ?? (typeof location === 'undefined' ? undefined : location.href);
  const fetchFn = options.fetch ?? (typeof fetch === 'undefined' ? undefined : fetch.bind(globalThis));
  let socket: WebSocketLike | null = null;
  /** Counts failed sockets: a diagnosis that comes back after a newer one failed (or a URL change) is dropped. */
  let failures = 0;
  let status: SidecarStatus = 'closed';
  let attempt = 0;
  let retryTimer: unknown = null;
  let running = false;
  const pending = new Map<string, PendingRequest>();

  const setStatus = (next: SidecarStatus, info: Partial<SidecarStatusInfo> = {}) => {
    status = next;
    options.onStatus?.(next, { attempt, ...info });
  };

  const flush = () => {
    for (const request of pending.values()) {
      if (!request.sent && socket?.readyState === OPEN) {
        socket.send(JSON.stringify(request.message));
        request.sent = true;
      }
    }
  };

  const onConnectionLost = () => {
    for (const [id, request] of pending) {
      if (request.resend) {
        request.sent = false;
      } else if (request.sent) {
        pending.delete(id);
        request.reject(
          new DepotError('NETWORK', 'The connection to the model-depot sidecar dropped before it answered.'),
        );
      }
    }
  };

  const scheduleRetry = () => {
    if (!running || retryTimer !== null) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1));
    retryTimer = schedule(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const handleData = (data: unknown) => {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn('model-depot: ignored a sidecar message that is not JSON');
      return;
    }
    const parsed = zServerMessage.safeParse(json);
    if (!parsed.success) {
      console.warn('model-depot: ignored a sidecar message of unknown shape', parsed.error.issues[0]?.message);
      return;
    }
    const message = parsed.data;
    const answerId =
      message.type === 'checkResult' || message.type === 'installStarted' || message.type === 'error'
        ? message.id
        : undefined;
    const request = answerId === undefined ? undefined : pending.get(answerId);
    if (request && answerId !== undefined) {
      pending.delete(answerId);
      request.resolve(message);
    }
    options.onMessage?.(message);
  };

  const connect = () => {
    if (!running) return;
    const target = sidecarSocketUrl(url, pageUrl);
    let next: WebSocketLike;
    try {
      if (target === undefined) throw new Error('an empty URL needs a page to connect through');
      next = new options.WebSocket(target);
    } catch (error) {
      // Browsers throw a SyntaxError for a malformed URL: retrying will not help until the setting changes.
      attempt++;
      setStatus('closed', { invalidUrl: true });
      console.warn(
        `model-depot: cannot open ${target ?? url}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    socket = next;
    setStatus('connecting');
    next.onopen = () => {
      if (socket !== next) return;
      attempt = 0;
      setStatus('open');
      flush();
    };
    next.onmessage = (event) => {
      if (socket === next) handleData(event.data);
    };
    // A refused connection fires error then close; only close drives the state machine.
    next.onerror = () => {};
    next.onclose = (event) => {
      if (socket !== next) return;
      socket = null;
      attempt++;
      onConnectionLost();
      status = 'closed';
      const failure = ++failures;
      // The status goes out once the cause is known, so the one notice can say what to do; the retry waits for it.
      void diagnoseSidecar({
        socketUrl: target,
        pageOrigin: originOf(pageUrl),
        closeCode: event?.code,
        closeReason: event?.reason,
        fetch: fetchFn,
      })
        // A diagnosis that fails itself (an old browser without AbortSignal.timeout) must not stop the retries.
        .catch((): SidecarDiagnosis => ({ kind: 'not-running' }))
        .then((diagnosis) => {
          if (failure !== failures || socket !== null || !running) return;
          setStatus('closed', { diagnosis });
          scheduleRetry();
        });
    };
  };

  const disconnect = () => {
    if (retryTimer !== null) {
      unschedule(retryTimer);
      retryTimer = null;
    }
    const current = socket;
    socket = null;
    if (current) {
      current.onclose = null;
      current.onmessage = null;
      current.close();
      onConnectionLost();
    }
  };

  const request = (message: ClientMessage & { id: string }, resend: boolean) =>
    new Promise<ServerMessage>((resolve, reject) => {
      validated(message);
      const entry: PendingRequest = { message, resend, sent: false, resolve, reject };
      pending.set(message.id, entry);
      flush();
    });

  const failFromError = (message: ServerMessage, what: string): never => {
    if (message.type === 'error') {
      throw new DepotError(message.error.code === 'BAD_INPUT' ? 'BAD_INPUT' : 'HTTP_ERROR', message.error.message, {
        details: { sidecarCode: message.error.code },
      });
    }
    throw new DepotError('HTTP_ERROR', `The sidecar answered a ${what} with "${message.type}".`);
  };

  return {
    start() {
      if (running) return;
      running = true;
      connect();
    },
    stop() {
      running = false;
      disconnect();
      status = 'closed';
    },
    setUrl(nextUrl) {
      if (nextUrl === url) return;
      url = nextUrl;
      if (!running) return;
      failures++;
      disconnect();
      attempt = 0;
      connect();
    },
    status: () => status,
    send(message) {
      if (socket?.readyState !== OPEN) return false;
      socket.send(JSON.stringify(validated(message)));
      return true;
    },
    async check(input) {
      const answer = await request({ type: 'check', id: newId(), ...input }, true);
      if (answer.type === 'checkResult') return answer.result;
      return failFromError(answer, 'check');
    },
    async install(items) {
      const answer = await request({ type: 'install', id: newId(), items }, false);
      if (answer.type === 'installStarted') return answer.jobs;
      return failFromError(answer, 'install');
    },
  };
}

function originOf(pageUrl: string | undefined): string | undefined {
  if (pageUrl === undefined) return undefined;
  try {
    return new URL(pageUrl).origin;
  } catch {
    return undefined;
  }
}

/**
 * Our own messages, checked against the protocol before they leave. The error names the field, never its value
 * (a token message must not echo the token into a log or a toast).
 */
function validated(message: ClientMessage): ClientMessage {
  const parsed = zClientMessage.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DepotError(
    'BAD_INPUT',
    `The ${message.type} message is not valid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}.`,
  );
}
