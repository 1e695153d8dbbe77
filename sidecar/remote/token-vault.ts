import { inspect } from 'node:util';
import type { Provider } from '../../shared/check-result';
import { systemClock, type Clock } from '../runtime/clock';

export interface TokenVaultOptions {
  /** Time source for the one-hour limit; tests pass a fake one. Default the system clock. */
  clock?: Clock;
  /** The longest a token given by a person is kept, in ms. Default one hour. */
  maxAgeMs?: number;
  /** Tokens from the environment (HF_TOKEN, CIVITAI_API_TOKEN), used when no token was given. Default none. */
  env?: Partial<Record<Provider, string | undefined>>;
}

export interface TokenScope {
  /** The WebSocket client the token came from; a token of one client is never used for another's jobs. */
  clientId?: string;
}

/**
 * Tokens in memory only: never serialized, never logged (toJSON and inspect show a redacted form). A token given for
 * an install is dropped when the last job that used it ends, and after `maxAgeMs` at the latest. A token given for
 * no job (an empty `jobIds`: a `token` message while none of that client's jobs waits) is not kept at all, with no
 * grace period: the extension only sends a token in answer to `authRequired`, so one arriving when nothing waits is
 * late (the jobs were cancelled) or unasked for, and a job started later asks again. Keeping it would leave a
 * person's token in memory for up to `maxAgeMs` with nothing to use it.
 */
export interface TokenVault {
  /**
   * Keeps `token` for `provider` (and client); `jobIds` are the jobs that will use it. Replaces an older token.
   * An empty `jobIds` keeps nothing (and leaves an older token to its jobs); leaving `jobIds` out keeps the token
   * until a job attaches to it and ends, or `maxAgeMs`.
   */
  put(provider: Provider, token: string, scope?: TokenScope & { jobIds?: Iterable<string> }): void;
  /** The token for `provider` (and client), else the environment's, else undefined. */
  get(provider: Provider, scope?: TokenScope): string | undefined;
  /**
   * Who the token `get` returns belongs to: the client that gave it, or undefined for the environment's token (every
   * job may use it) or none. Transfers of different holders are never shared.
   */
  holder(provider: Provider, scope?: TokenScope): string | undefined;
  /** Records that `jobId` uses the stored token of `provider` (and client), so it lives until that job ends. */
  attach(provider: Provider, jobId: string, scope?: TokenScope): void;
  /** The jobs ended: a token none of whose jobs is still running is dropped. */
  release(jobIds: Iterable<string>): void;
  /** Drops every given token of a provider (or of all providers): a token rejected by its host, or shutdown. */
  forget(provider?: Provider, scope?: TokenScope): void;
  /** Drops the tokens older than `maxAgeMs`; `get` does it too, callers may also call it on a timer. */
  sweep(): void;
  /** How many given tokens are held (never the tokens themselves). */
  readonly size: number;
}

interface Entry {
  token: string;
  storedAt: number;
  jobs: Set<string>;
  /** True once a job was attached: from then on the entry ends with its last job. */
  used: boolean;
}

export function createTokenVault(options: TokenVaultOptions = {}): TokenVault {
  const clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const env = { ...options.env };
  const entries = new Map<string, Entry>();
  const keyOf = (provider: Provider, scope?: TokenScope): string => `${provider}\u0000${scope?.clientId ?? ''}`;

  function sweep(): void {
    const now = clock.now();
    for (const [key, entry] of entries) if (now - entry.storedAt >= maxAgeMs) entries.delete(key);
  }

  const vault: TokenVault & { toJSON(): unknown } = {
    put(provider, token, scope) {
      const jobs = new Set(scope?.jobIds ?? []);
      if (scope?.jobIds !== undefined && jobs.size === 0) return;
      entries.set(keyOf(provider, scope), { token, storedAt: clock.now(), jobs, used: jobs.size > 0 });
    },
    get(provider, scope) {
      sweep();
      return entries.get(keyOf(provider, scope))?.token ?? (env[provider] || undefined);
    },
    holder(provider, scope) {
      sweep();
      return entries.has(keyOf(provider, scope)) ? keyOf(provider, scope) : undefined;
    },
    attach(provider, jobId, scope) {
      const entry = entries.get(keyOf(provider, scope));
      if (!entry) return;
      entry.jobs.add(jobId);
      entry.used = true;
    },
    release(jobIds) {
      const ended = new Set(jobIds);
      for (const [key, entry] of entries) {
        for (const id of ended) entry.jobs.delete(id);
        if (entry.used && entry.jobs.size === 0) entries.delete(key);
      }
    },
    forget(provider, scope) {
      for (const key of [...entries.keys()]) {
        if (provider === undefined || key === keyOf(provider, scope)) entries.delete(key);
      }
    },
    sweep,
    get size() {
      sweep();
      return entries.size;
    },
    toJSON: () => redactedView(),
  };
  const redactedView = (): Record<string, string> => ({
    tokens: `[${entries.size} redacted]`,
    env:
      Object.entries(env)
        .filter(([, value]) => value)
        .map(([provider]) => provider)
        .join(',') || 'none',
  });
  Object.defineProperty(vault, inspect.custom, { value: () => `TokenVault ${JSON.stringify(redactedView())}` });
  return vault;
}
