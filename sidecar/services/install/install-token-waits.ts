import type { Provider } from '../../../shared/check-result';
import { DepotError } from '../../../shared/errors';

interface Waiter {
  provider: Provider;
  clientId?: string;
  resolve: () => void;
  reject: (error: DepotError) => void;
}

/**
 * Jobs parked in `waiting-for-token`. A job waits here after AUTH_REQUIRED/AUTH_DENIED until its client gives a
 * token (`resume`), cancels (`cancel`) or the job is cancelled (`cancelJob`). The token itself never passes here:
 * it goes to the vault, and the resumed job reads it from there.
 */
export class TokenWaits {
  readonly #waiters = new Map<string, Waiter>();

  /** Parks a job; resolves when a token was given, rejects with CANCELLED otherwise. */
  wait(jobId: string, provider: Provider, clientId: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.set(jobId, { provider, clientId, resolve, reject });
    });
  }

  /** The waiting jobs of a provider and client (every client when `clientId` is undefined). */
  waiting(provider: Provider, clientId?: string): string[] {
    return [...this.#waiters]
      .filter(([, w]) => w.provider === provider && (clientId === undefined || w.clientId === clientId))
      .map(([id]) => id);
  }

  /** Resumes the waiting jobs of `provider` started by `clientId`; returns their ids. */
  resume(provider: Provider, clientId: string | undefined): string[] {
    const ids = [...this.#waiters]
      .filter(([, w]) => w.provider === provider && w.clientId === clientId)
      .map(([id]) => id);
    for (const id of ids) {
      this.#waiters.get(id)?.resolve();
      this.#waiters.delete(id);
    }
    return ids;
  }

  /** Fails the waiting jobs of `provider` (of `clientId` when given): the person declined to give a token. */
  cancel(provider: Provider, clientId?: string): string[] {
    const ids = this.waiting(provider, clientId);
    for (const id of ids) this.#rejectOne(id, 'cancelled: no token given');
    return ids;
  }

  /** A job was cancelled while waiting. */
  cancelJob(jobId: string): void {
    this.#rejectOne(jobId, 'cancelled');
  }

  /** Shutdown: every waiting job ends. */
  cancelAll(): void {
    for (const id of [...this.#waiters.keys()]) this.#rejectOne(id, 'cancelled: the sidecar stopped');
  }

  #rejectOne(jobId: string, message: string): void {
    const waiter = this.#waiters.get(jobId);
    if (!waiter) return;
    this.#waiters.delete(jobId);
    waiter.reject(new DepotError('CANCELLED', message));
  }
}
