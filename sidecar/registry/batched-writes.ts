import { AsyncLocalStorage } from 'node:async_hooks';

interface BatchState {
  dirty: boolean;
}

/**
 * When the registry saves: after each change, or once at the end of a `batch()` (the batch follows its function
 * across awaits through AsyncLocalStorage, so a change made anywhere inside it is held). Tracks the saves in flight
 * so `settled()` can wait for them before the lock is released.
 */
export class BatchedWrites {
  /** Saves the whole registry; absent for a read-only registry (changes then stay in memory). */
  readonly #save?: () => Promise<void>;
  readonly #batch = new AsyncLocalStorage<BatchState>();
  readonly #pending = new Set<Promise<void>>();

  constructor(save: (() => Promise<void>) | undefined) {
    this.#save = save;
  }

  /** Called after each change: saves now, or marks the current batch as needing a save. */
  async changed(): Promise<void> {
    const state = this.#batch.getStore();
    if (state) {
      state.dirty = true;
      return;
    }
    await this.#persist();
  }

  /**
   * Runs `fn`; every change made inside it (also across awaits, and in nested batches) is saved once, when the
   * outermost batch ends, even if `fn` throws (memory and disk stay the same).
   */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#batch.getStore()) return fn();
    const state: BatchState = { dirty: false };
    try {
      return await this.#batch.run(state, fn);
    } finally {
      if (state.dirty) await this.#persist();
    }
  }

  /** Resolves when every save in flight has ended; rejects like the first of them that failed. */
  async settled(): Promise<void> {
    await Promise.all(this.#pending);
  }

  async #persist(): Promise<void> {
    const save = this.#save;
    if (!save) return;
    const promise = save();
    this.#pending.add(promise);
    try {
      await promise;
    } finally {
      this.#pending.delete(promise);
    }
  }
}
