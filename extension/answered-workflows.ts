import { z } from 'zod';

/** The bit of the Web Storage API used; `localStorage` in the browser. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface AnsweredWorkflowsOptions {
  /** Where answers survive a page reload (default none: this page only). Holds workflow keys, nothing else. */
  storage?: StorageLike | null;
  /** Most keys kept; the oldest go first (default 300). */
  limit?: number;
  /** Storage key (default `model-depot.answered-workflows`). */
  storageKey?: string;
}

export interface AnsweredWorkflows {
  has(key: string): boolean;
  add(key: string): void;
}

const zStoredKeys = z.array(z.string()).catch([]);

/**
 * The workflows the user has already answered (Download or Not now), so a tab switch or a restore after a page
 * reload does not ask again.
 */
export function createAnsweredWorkflows(options: AnsweredWorkflowsOptions = {}): AnsweredWorkflows {
  const storage = options.storage ?? null;
  const limit = options.limit ?? 300;
  const storageKey = options.storageKey ?? 'model-depot.answered-workflows';
  const keys: string[] = zStoredKeys.parse(readJson(storage, storageKey));

  return {
    has: (key) => keys.includes(key),
    add(key) {
      if (keys.includes(key)) return;
      keys.push(key);
      if (keys.length > limit) keys.splice(0, keys.length - limit);
      writeJson(storage, storageKey, keys);
    },
  };
}

function readJson(storage: StorageLike | null, key: string): unknown {
  const text = storage?.getItem(key);
  if (!text) return [];
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return [];
    throw error;
  }
}

function writeJson(storage: StorageLike | null, key: string, value: unknown): void {
  try {
    storage?.setItem(key, JSON.stringify(value));
  } catch (error) {
    // A full or disabled storage only costs a repeated question after a reload.
    if (error instanceof DOMException) return;
    throw error;
  }
}
