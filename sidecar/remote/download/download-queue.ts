import { randomUUID } from 'node:crypto';
import { DepotError, isDepotError } from '../../../shared/errors';
import { systemClock } from '../../runtime/clock';
import { downloadFile, type DownloadFileOptions, type DownloadProgress, type DownloadResult } from './download-file';
import { stripUrlCredentials } from '../../runtime/redact-url';
import { partialPaths, removePartial } from '../partial/resume-state';
import { SpeedMeter } from '../speed-meter';

export type QueuedDownloadState = 'queued' | 'downloading' | 'verifying' | 'complete' | 'failed' | 'cancelled';

/** One progress event of one request (requests that share a transfer each get their own, with their own id). */
export interface QueueProgress {
  id: string;
  state: QueuedDownloadState;
  bytes: number;
  total?: number;
  /** Bytes per second, smoothed. */
  speed: number;
  /** Seconds left, when the total and a speed are known. */
  eta?: number;
  /** Set when state is failed or cancelled. */
  error?: { code: string; message: string };
}

/** What to fetch, as downloadFile takes it; the queue keeps the token only for the time of the transfer. */
export interface DownloadRequest
  extends Pick<DownloadFileOptions, 'url' | 'dest' | 'tmpDir' | 'expectedSha256' | 'expectedSize' | 'token'> {
  /** The request's id in progress events (a job id). Default a random UUID. */
  id?: string;
  /** Progress of this request only. */
  onProgress?: (progress: QueueProgress) => void;
  /** Cancels this request (like `handle.cancel()`). */
  signal?: AbortSignal;
  /**
   * Who the request's token belongs to: requests share a transfer only with the same holder, so one client's bytes
   * never come through another client's token. Default undefined: no token, or one every request may use.
   */
  tokenHolder?: string;
}

export interface QueuedResult extends DownloadResult {
  /** Where the bytes are: this request's `dest`, or the dest of the request it shared a transfer with. */
  path: string;
  /** True when this request joined a transfer another request started (single flight). */
  joined: boolean;
}

export interface CancelOptions {
  /** Delete the partial file and its resume state too. Default false: kept so a later download resumes. */
  discardPartial?: boolean;
}

export interface DownloadHandle {
  id: string;
  /** Settles with the result, or rejects with a DepotError (CANCELLED after a cancel). */
  result: Promise<QueuedResult>;
  cancel(options?: CancelOptions): void;
}

/** The transfer settings every queued download shares, as downloadFile takes them (same defaults). */
export interface DownloadQueueOptions
  extends Pick<
    DownloadFileOptions,
    'hostPolicy' | 'limiter' | 'fetch' | 'clock' | 'retry' | 'timeouts' | 'freeSpace' | 'logger' | 'connections'
  > {
  /** Transfers at once. Default 3. */
  parallel?: number;
  /** ms between progress events of a transfer. Default 250. */
  progressIntervalMs?: number;
}

export interface DownloadQueue {
  /** Queues a download, or joins the running/queued transfer of the same SHA-256 (or, without one, the same URL). */
  add(request: DownloadRequest): DownloadHandle;
  /** Cancels one request by id; false when it is unknown or finished. */
  cancel(id: string, options?: CancelOptions): boolean;
  /** Changes how many transfers run at once (takes effect as transfers finish or start). */
  setParallel(parallel: number): void;
  /** Every request's progress; returns the function that unsubscribes. */
  onProgress(listener: (progress: QueueProgress) => void): () => void;
  /** Transfers running / waiting. */
  readonly running: number;
  readonly waiting: number;
  /** Cancels everything (partials kept) and waits for the transfers to stop. */
  close(): Promise<void>;
}

interface Participant {
  request: DownloadRequest & { id: string };
  resolve(result: QueuedResult): void;
  reject(error: unknown): void;
}

interface Flight {
  key: string;
  /** The bytes it fetches (SHA-256, or URL): one `.part` file, so two such flights never run at once. */
  bytesKey: string;
  /** The request that started it: its dest, url and token are used. */
  lead: DownloadRequest & { id: string };
  participants: Map<string, Participant>;
  controller: AbortController;
  meter: SpeedMeter;
  last: Omit<QueueProgress, 'id'>;
  done?: Promise<void>;
  discardPartial: boolean;
}

export function createDownloadQueue(options: DownloadQueueOptions): DownloadQueue {
  const clock = options.clock ?? systemClock;
  let parallel = validParallel(options.parallel ?? 3);
  const flights = new Map<string, Flight>();
  const waiting: Flight[] = [];
  const running = new Set<Flight>();
  const listeners = new Set<(progress: QueueProgress) => void>();
  const byId = new Map<string, Flight>();

  function emit(participant: Participant, event: Omit<QueueProgress, 'id'>): void {
    const progress = { id: participant.request.id, ...event };
    participant.request.onProgress?.(progress);
    for (const listener of listeners) listener(progress);
  }

  function broadcast(flight: Flight, event: Omit<QueueProgress, 'id'>): void {
    flight.last = event;
    for (const participant of flight.participants.values()) emit(participant, event);
  }

  function onTransferProgress(flight: Flight, progress: DownloadProgress): void {
    const speed = flight.meter.sample(progress.bytes, clock.now());
    const eta =
      progress.total !== undefined && speed > 0 ? Math.max(0, (progress.total - progress.bytes) / speed) : undefined;
    broadcast(flight, { state: progress.state, bytes: progress.bytes, total: progress.total, speed, eta });
  }

  function pump(): void {
    while (running.size < parallel) {
      // A flight for bytes another holder's flight is fetching waits for it: they would share one partial file.
      const busy = new Set([...running].map((f) => f.bytesKey));
      const next = waiting.findIndex((f) => !busy.has(f.bytesKey));
      if (next < 0) return;
      const [flight] = waiting.splice(next, 1);
      if (flight) start(flight);
    }
  }

  function start(flight: Flight): void {
    running.add(flight);
    const { lead } = flight;
    broadcast(flight, { ...flight.last, state: 'downloading' });
    flight.done = downloadFile({
      url: lead.url,
      dest: lead.dest,
      tmpDir: lead.tmpDir,
      expectedSha256: lead.expectedSha256,
      expectedSize: lead.expectedSize,
      token: lead.token,
      hostPolicy: options.hostPolicy,
      limiter: options.limiter,
      signal: flight.controller.signal,
      onProgress: (progress) => onTransferProgress(flight, progress),
      progressIntervalMs: options.progressIntervalMs ?? 250,
      fetch: options.fetch,
      clock,
      retry: options.retry,
      timeouts: options.timeouts,
      freeSpace: options.freeSpace,
      logger: options.logger?.child({ job: lead.id }),
      connections: options.connections,
    }).then(
      (result) => finish(flight, { result }),
      (error: unknown) => finish(flight, { error }),
    );
  }

  async function finish(flight: Flight, outcome: { result?: DownloadResult; error?: unknown }): Promise<void> {
    running.delete(flight);
    flights.delete(flight.key);
    if (outcome.error !== undefined && flight.discardPartial) await discard(flight);
    for (const participant of flight.participants.values()) {
      byId.delete(participant.request.id);
      if (outcome.result) {
        const { sha256, size } = outcome.result;
        emit(participant, { state: 'complete', bytes: size, total: size, speed: flight.meter.speed, eta: 0 });
        participant.resolve({
          sha256,
          size,
          path: flight.lead.dest,
          joined: participant.request.id !== flight.lead.id,
        });
      } else {
        const error = toDepotError(outcome.error);
        const state = error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        emit(participant, {
          ...flight.last,
          state,
          speed: 0,
          eta: undefined,
          error: { code: error.code, message: error.message },
        });
        participant.reject(error);
      }
    }
    pump();
  }

  /** Deletes a cancelled transfer's partial; a failure is logged, since the cancel itself already happened. */
  async function discard(flight: Flight): Promise<void> {
    const { tmpDir, url, expectedSha256 } = flight.lead;
    try {
      await removePartial(partialPaths({ tmpDir, url, expectedSha256 }));
    } catch (error) {
      options.logger?.warn('could not delete a cancelled partial download', { job: flight.lead.id, error });
    }
  }

  function cancel(id: string, cancelOptions: CancelOptions = {}): boolean {
    const flight = byId.get(id);
    const participant = flight?.participants.get(id);
    if (!flight || !participant) return false;
    byId.delete(id);
    flight.participants.delete(id);
    const error = new DepotError('CANCELLED', `${baseName(participant.request.dest)}: download cancelled.`);
    emit(participant, {
      ...flight.last,
      state: 'cancelled',
      speed: 0,
      eta: undefined,
      error: { code: error.code, message: error.message },
    });
    participant.reject(error);
    // The transfer stops only when nobody is left waiting for it.
    if (flight.participants.size === 0) {
      flight.discardPartial = cancelOptions.discardPartial ?? false;
      const queuedAt = waiting.indexOf(flight);
      if (queuedAt >= 0) {
        waiting.splice(queuedAt, 1);
        flights.delete(flight.key);
        if (flight.discardPartial) void discard(flight);
      } else {
        flight.controller.abort(error);
      }
    }
    return true;
  }

  return {
    add(input) {
      const request = { ...input, id: input.id ?? randomUUID() };
      if (byId.has(request.id)) {
        throw new DepotError('BAD_INPUT', `A download with id ${request.id} is already queued.`);
      }
      const bytesKey = request.expectedSha256
        ? `sha256:${request.expectedSha256.toLowerCase()}`
        : `url:${stripUrlCredentials(request.url)}`;
      const key = request.tokenHolder === undefined ? bytesKey : `${bytesKey}\u0000${request.tokenHolder}`;
      let flight = flights.get(key);
      const joined = flight !== undefined;
      if (!flight) {
        flight = {
          key,
          bytesKey,
          lead: request,
          participants: new Map(),
          controller: new AbortController(),
          meter: new SpeedMeter(),
          last: { state: 'queued', bytes: 0, total: request.expectedSize, speed: 0 },
          discardPartial: false,
        };
        flights.set(key, flight);
        waiting.push(flight);
      }
      const result = new Promise<QueuedResult>((resolve, reject) => {
        const participant: Participant = { request, resolve, reject };
        flight.participants.set(request.id, participant);
        emit(participant, joined ? flight.last : { ...flight.last, state: 'queued' });
      });
      byId.set(request.id, flight);
      if (request.signal?.aborted) {
        cancel(request.id);
      } else {
        request.signal?.addEventListener('abort', () => cancel(request.id), { once: true });
        pump();
      }
      return { id: request.id, result, cancel: (cancelOptions) => void cancel(request.id, cancelOptions) };
    },
    cancel,
    setParallel(next) {
      parallel = validParallel(next);
      pump();
    },
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get running() {
      return running.size;
    },
    get waiting() {
      return waiting.length;
    },
    async close() {
      const pending = [...running].map((flight) => flight.done);
      for (const id of [...byId.keys()]) cancel(id);
      await Promise.all(pending);
    },
  };
}

function validParallel(parallel: number): number {
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new DepotError('BAD_INPUT', `parallel downloads must be a whole number of at least 1, got ${parallel}.`);
  }
  return parallel;
}

function toDepotError(error: unknown): DepotError {
  if (isDepotError(error)) return error;
  return new DepotError(
    'IO',
    `The download failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
