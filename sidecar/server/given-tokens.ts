import type { Provider } from '../../shared/check-result';
import { TERMINAL_JOB_STATES, type Job } from '../../shared/job';
import { systemClock, type Clock } from '../runtime/clock';
import type { Depot } from '../services/depot/create-depot';

export interface GivenTokensOptions {
  /** Its job events tell when a client's jobs have all ended. */
  depot: Depot;
  /** Time source for the age limit; tests pass a fake one. Default the system clock. */
  clock?: Clock;
  /** The longest a token is listed, in ms: the vault's own limit. Default one hour. */
  maxAgeMs?: number;
  /**
   * How long a token stays listed after its client's last job ended, in ms. The depot releases a token a moment
   * after the job's last event (a cancelled transfer first settles its abort), and the list must not end before
   * the vault's hold does. Default 1000.
   */
  lingerMs?: number;
}

/**
 * The tokens clients handed to the depot through this server (WebSocket `token`, HTTP `tokens`), listed for the
 * logger's redaction while the depot's vault may still hold them. The vault lives inside the depot and keeps a
 * token for the jobs of the client that gave it (and only those), so listing a token until every job that client
 * started through this server has ended, or `maxAgeMs` has passed, covers the vault's lifetime of it: a superset,
 * never shorter. Nothing here is ever serialized or sent.
 */
export interface GivenTokens {
  /**
   * Jobs started for `clientId` (a WebSocket connection, or one `POST /models/download`, each its own id), with the
   * tokens its request handed to the depot for them, if any.
   */
  started(clientId: string | undefined, jobs: readonly Job[], tokens?: Partial<Record<Provider, string>>): void;
  /** `token` was handed to the depot for `provider` by `clientId`, for `jobIds`; none of them = the vault drops it. */
  given(provider: Provider, token: string, clientId: string | undefined, jobIds: readonly string[]): void;
  /** The tokens that may still be in the vault (never logged: only matched against log lines). */
  current(): string[];
  /** Stops listening to the depot and forgets every token. */
  close(): void;
}

interface Entry {
  token: string;
  client: string;
  storedAt: number;
}

export function createGivenTokens(options: GivenTokensOptions): GivenTokens {
  const clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const lingerMs = options.lingerMs ?? 1000;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, Set<string>>();
  const entries = new Map<string, Entry>();
  const clientKey = (clientId: string | undefined): string => clientId ?? '';

  const isRunning = (jobId: string): boolean => {
    const state = options.depot.job(jobId)?.state;
    return state !== undefined && !TERMINAL_JOB_STATES.has(state);
  };
  const track = (client: string, jobIds: Iterable<string>): void => {
    const set = running.get(client) ?? new Set<string>();
    for (const id of jobIds) if (isRunning(id)) set.add(id);
    if (set.size > 0) running.set(client, set);
    else dropClient(client);
  };
  const dropClient = (client: string): void => {
    running.delete(client);
    const timer = setTimeout(() => {
      timers.delete(timer);
      // A job started (or a token given) meanwhile keeps the client's tokens listed.
      if (running.has(client)) return;
      for (const [key, entry] of entries) if (entry.client === client) entries.delete(key);
    }, lingerMs);
    // A pending drop never keeps the process alive.
    timer.unref();
    timers.add(timer);
  };
  const ended = (job: Job): void => {
    for (const [client, set] of running) {
      if (set.delete(job.id) && set.size === 0) dropClient(client);
    }
  };
  const unsubscribe = [options.depot.on('jobDone', ended), options.depot.on('jobFailed', ended)];
  const given: GivenTokens['given'] = (provider, token, clientId, jobIds) => {
    const client = clientKey(clientId);
    // An empty jobIds: the vault keeps nothing, so neither does this list.
    if (jobIds.length === 0) return;
    entries.set(`${provider}\u0000${client}`, { token, client, storedAt: clock.now() });
    // The jobs may have ended before this call (a fast link): then the token is already gone from the vault.
    track(client, jobIds);
  };

  return {
    started(clientId, jobs, tokens) {
      const jobIds = jobs.map((job) => job.id);
      track(clientKey(clientId), jobIds);
      for (const provider of ['huggingface', 'civitai'] as const) {
        const token = tokens?.[provider];
        if (token) given(provider, token, clientId, jobIds);
      }
    },
    given,
    current() {
      const now = clock.now();
      for (const [key, entry] of entries) if (now - entry.storedAt >= maxAgeMs) entries.delete(key);
      return [...entries.values()].map((entry) => entry.token);
    },
    close() {
      for (const off of unsubscribe) off();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      entries.clear();
      running.clear();
    },
  };
}
