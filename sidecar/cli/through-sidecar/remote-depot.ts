import { randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import type { CheckResult } from '../../../shared/check-result';
import { DepotError } from '../../../shared/errors';
import { TERMINAL_JOB_STATES, type Job } from '../../../shared/job';
import { type ServerMessage, zServerMessage } from '../../../shared/protocol';
import type { DepotEvents } from '../../services/depot/depot-events';
import type { Depot } from '../../services/depot/depot-types';
import type { InstallTokens } from '../../server/http-api';
import { parseJsonText } from '../../runtime/parse-json-text';
import type { SidecarConnection } from './find-sidecar';
import { sidecarError } from './sidecar-request';

/** What `install`, `check` and the terminal UI use of a depot: the local one, or a sidecar's through its WebSocket. */
export type WorkingDepot = Pick<
  Depot,
  | 'indexed'
  | 'check'
  | 'install'
  | 'provideToken'
  | 'cancelWaiting'
  | 'cancel'
  | 'job'
  | 'settled'
  | 'setLimit'
  | 'resetMetadataCache'
  | 'on'
  | 'close'
>;

export interface ConnectRemoteDepotOptions {
  /** Sent with each install, for its downloads only (the CLI's HF_TOKEN / CIVITAI_API_TOKEN). Default none. */
  tokens?: InstallTokens;
  /** ms to wait for the connection and the sidecar's `hello`. Default 5000. */
  timeoutMs?: number;
}

type Listeners = { [E in keyof DepotEvents]: Set<(payload: DepotEvents[E]) => void> };
type JobEvent = 'progress' | 'jobDone' | 'jobFailed';

interface Pending {
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
}

/**
 * The sidecar's depot as one WebSocket client of it. The connection is the client the sidecar asks for tokens;
 * events of other clients' jobs (the extension's) are not passed on. Jobs' events that arrive before the sidecar
 * answers an install with its jobs are held and passed on then, in order, as a local depot would have emitted them.
 */
export async function connectRemoteDepot(
  sidecar: SidecarConnection,
  options: ConnectRemoteDepotOptions = {},
): Promise<WorkingDepot> {
  const ws = new WebSocket(`${sidecar.url.replace(/^http/, 'ws')}/ws`, { headers: { ...sidecar.headers } });
  await opened(ws, sidecar.url, options.timeoutMs ?? 5000);
  const listeners: Listeners = {
    progress: new Set(),
    jobDone: new Set(),
    jobFailed: new Set(),
    authRequired: new Set(),
    indexed: new Set(),
  };
  const emit = <E extends keyof DepotEvents>(event: E, payload: DepotEvents[E]): void => {
    for (const listener of listeners[event]) listener(payload);
  };
  const jobs = new Map<string, Job>();
  const owned = new Set<string>();
  const early: Array<[JobEvent, Job]> = [];
  const pending = new Map<string, Pending>();
  const waiters = new Set<() => void>();
  let installing = 0;
  let installClient: string | undefined;
  let lost: DepotError | undefined;

  const onJob = (event: JobEvent, job: Job): void => {
    if (owned.has(job.id)) {
      jobs.set(job.id, job);
      emit(event, job);
      for (const wake of waiters) wake();
    } else if (installing > 0) early.push([event, job]);
  };
  const onMessage = (message: ServerMessage): void => {
    switch (message.type) {
      case 'checkResult':
      case 'installStarted':
      case 'metadataCacheReset':
      case 'error':
        if (message.id !== undefined) pending.get(message.id)?.resolve(message);
        return;
      case 'progress':
      case 'jobDone':
      case 'jobFailed':
        onJob(message.type, message.job);
        return;
      case 'authRequired':
        // The job's own `waiting-for-token` progress may come later (progress is throttled): the prompt must not
        // think the job has stopped waiting.
        for (const id of message.jobIds) {
          const job = jobs.get(id);
          if (job && !TERMINAL_JOB_STATES.has(job.state)) jobs.set(id, { ...job, state: 'waiting-for-token' });
        }
        emit('authRequired', {
          ...(installClient === undefined ? {} : { clientId: installClient }),
          provider: message.provider,
          jobIds: message.jobIds,
          filenames: message.filenames,
          reason: message.reason,
          ...(message.accessUrl === undefined ? {} : { accessUrl: message.accessUrl }),
          message: message.message,
        });
        return;
      case 'hello':
        return;
    }
  };
  ws.on('message', (data: RawData) => {
    const parsed = zServerMessage.safeParse(parseJson(data));
    if (parsed.success) onMessage(parsed.data);
  });
  ws.on('close', () => {
    lost = new DepotError(
      'NETWORK',
      `The sidecar at ${sidecar.url} closed the connection (stopped?). Downloads it started keep their partial files; run the command again.`,
    );
    for (const entry of pending.values()) entry.reject(lost);
    pending.clear();
    for (const wake of waiters) wake();
  });

  const ask = (message: Record<string, unknown> & { type: string }): Promise<ServerMessage> => {
    if (lost) return Promise.reject(lost);
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      pending.set(id, {
        resolve: (answer) => {
          pending.delete(id);
          if (answer.type === 'error') reject(sidecarError(answer.error));
          else resolve(answer);
        },
        reject,
      });
      ws.send(JSON.stringify({ ...message, id }));
    });
  };
  const tell = (message: Record<string, unknown>): void => {
    if (!lost) ws.send(JSON.stringify(message));
  };

  return {
    // The sidecar indexes its places itself; what a client asks waits for nothing.
    indexed: Promise.resolve({ files: 0, registered: 0, errors: 0 }),
    async check(input, checkOptions = {}): Promise<CheckResult> {
      const answer = await ask({
        type: 'check',
        input,
        ...(checkOptions.catalogs && { catalogs: checkOptions.catalogs }),
        ...(checkOptions.picks && { picks: Object.fromEntries(checkOptions.picks) }),
        ...(checkOptions.remote === undefined ? {} : { remote: checkOptions.remote }),
        ...(checkOptions.all === undefined ? {} : { all: checkOptions.all }),
      });
      if (answer.type !== 'checkResult') throw unexpected(answer.type);
      return answer.result;
    },
    async install(items, installOptions = {}) {
      installClient = installOptions.clientId;
      installing += 1;
      try {
        const answer = await ask({
          type: 'install',
          items,
          ...(options.tokens && hasToken(options.tokens) && { tokens: options.tokens }),
          ...(installOptions.waitForToken === undefined ? {} : { waitForToken: installOptions.waitForToken }),
        });
        if (answer.type !== 'installStarted') throw unexpected(answer.type);
        for (const job of answer.jobs) {
          owned.add(job.id);
          jobs.set(job.id, job);
        }
        for (const [event, job] of early.splice(0)) if (owned.has(job.id)) onJob(event, job);
        return answer.jobs.map((job) => jobs.get(job.id) ?? job);
      } finally {
        installing -= 1;
      }
    },
    provideToken(provider, token) {
      tell({ type: 'token', provider, token });
      return [];
    },
    cancelWaiting(provider) {
      tell({ type: 'cancel', provider });
      return [];
    },
    cancel(jobId) {
      tell({ type: 'cancel', jobId });
      return jobs.get(jobId);
    },
    job: (id) => jobs.get(id),
    // The sidecar's cap, for every download it runs: it is the one process that downloads into this folder.
    setLimit(kbps) {
      tell({ type: 'setLimit', kbps });
    },
    async resetMetadataCache() {
      const answer = await ask({ type: 'resetMetadataCache' });
      if (answer.type !== 'metadataCacheReset') throw unexpected(answer.type);
    },
    settled(ids = [...owned]) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const list = ids.map((id) => jobs.get(id)).filter((job): job is Job => job !== undefined);
          if (list.length === ids.length && list.every((job) => TERMINAL_JOB_STATES.has(job.state))) {
            waiters.delete(check);
            resolve(list);
          } else if (lost) {
            waiters.delete(check);
            reject(lost);
          }
        };
        waiters.add(check);
        check();
      });
    },
    on(event, listener) {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'done');
      });
    },
  };
}

function opened(ws: WebSocket, url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(
        new DepotError('NETWORK', `Could not connect to the sidecar at ${url} (${reason}); run the command again.`),
      );
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs} ms`), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (error) => fail(error.message));
  });
}

function parseJson(data: RawData): unknown {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  return parseJsonText(Buffer.from(bytes).toString('utf8'));
}

function hasToken(tokens: InstallTokens): boolean {
  return Boolean(tokens.huggingface || tokens.civitai);
}

function unexpected(type: string): DepotError {
  return new DepotError('HTTP_ERROR', `The sidecar answered with "${type}"; is it another version? Update both.`);
}
