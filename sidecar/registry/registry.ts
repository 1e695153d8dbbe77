import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { DepotError } from '../../shared/errors';
import {
  zSha256,
  type FileEntry,
  type FileKind,
  type ModelEntry,
  type ModelListing,
  type RegistryFile,
  type RegistryStats,
} from '../../shared/registry-schema';
import { fileIdentity, type FileIdentity } from '../disk/file-identity';
import { cleanSource } from './clean-source';

export interface UpsertModelInput {
  sha256: string;
  /** Bytes. */
  size: number;
  /** ComfyUI folder name; kept only when the model has none yet. */
  category?: string;
  /** A download URL (credentials are stripped) or hub path to add to the model's sources. */
  source?: string;
}

export interface AddFileInput {
  /** Stored absolute (resolved against the working directory). */
  path: string;
  sha256: string;
  kind: FileKind;
  category?: string;
  /** (dev, ino, size, mtimeMs) at registration time (`fs.Stats` fits); its size also creates the model when it is not registered yet. */
  stat?: FileIdentity;
}

export interface RegistryInit {
  modelsRoot: string;
  /** Absolute path of `models.json`. */
  file: string;
  data: RegistryFile;
  /** Persists the whole registry; absent for a read-only registry. */
  write?: (data: RegistryFile) => Promise<void>;
  /** Releases the lock. */
  release?: () => Promise<void>;
  now: () => number;
  /** Where a corrupt registry file was kept when this registry started empty (`recoverCorrupt`). */
  keptAside?: string;
}

interface BatchState {
  dirty: boolean;
}

/**
 * The model registry: models keyed by SHA-256, files keyed by absolute path. Reads are synchronous, from memory
 * (indexes built on load, so 10,000 models stay fast); each change writes the whole file atomically, unless it runs
 * inside `batch()`, which writes once at the end.
 */
export class Registry {
  readonly modelsRoot: string;
  readonly file: string;
  readonly readOnly: boolean;
  /** Where a corrupt registry file was kept when this registry was opened with `recoverCorrupt` (else undefined). */
  readonly keptAside?: string;
  readonly #data: RegistryFile;
  readonly #write?: (data: RegistryFile) => Promise<void>;
  readonly #release?: () => Promise<void>;
  readonly #now: () => number;
  /** sha256 -> paths of its files, in registration order. */
  readonly #filesBySha = new Map<string, Set<string>>();
  readonly #batch = new AsyncLocalStorage<BatchState>();
  #pending = new Set<Promise<void>>();
  #closed = false;
  #lostLock: Error | undefined;

  constructor(init: RegistryInit) {
    this.modelsRoot = init.modelsRoot;
    this.file = init.file;
    this.readOnly = init.write === undefined;
    this.keptAside = init.keptAside;
    this.#data = init.data;
    this.#write = init.write;
    this.#release = init.release;
    this.#now = init.now;
    for (const entry of Object.values(this.#data.files)) this.#index(entry.sha256, entry.path);
  }

  findBySha256(sha256: string): Readonly<ModelEntry> | undefined {
    const key = sha256.toLowerCase();
    return Object.hasOwn(this.#data.models, key) ? this.#data.models[key] : undefined;
  }

  findByPath(filePath: string): Readonly<FileEntry> | undefined {
    const key = path.resolve(filePath);
    return Object.hasOwn(this.#data.files, key) ? this.#data.files[key] : undefined;
  }

  /** The files of a model, its canonical file first. */
  filesOf(sha256: string): Readonly<FileEntry>[] {
    const paths = this.#filesBySha.get(sha256.toLowerCase());
    if (!paths) return [];
    const canonical = this.findBySha256(sha256)?.file_path;
    const entries = [...paths].map((p) => this.#data.files[p]).filter((e): e is FileEntry => e !== undefined);
    return entries.sort((a, b) => Number(b.path === canonical) - Number(a.path === canonical));
  }

  /** Every registered file (for rescans that drop files gone from disk). */
  allFiles(): Readonly<FileEntry>[] {
    return Object.values(this.#data.files);
  }

  async upsertModel(input: UpsertModelInput): Promise<Readonly<ModelEntry>> {
    this.#assertWritable();
    const model = this.#ensureModel(checkSha256(input.sha256), input.size, input.category);
    if (input.source !== undefined) addUnique(model.sources, cleanSource(input.source));
    await this.#changed();
    return model;
  }

  /**
   * Registers a file of a model. The model's first file becomes its canonical `file_path`; later ones are aliases.
   * A path registered before under another SHA-256 (the file was replaced) moves to the new model.
   */
  async addFile(input: AddFileInput): Promise<Readonly<FileEntry>> {
    this.#assertWritable();
    const sha256 = checkSha256(input.sha256);
    const key = path.resolve(input.path);
    if (!this.findBySha256(sha256)) {
      if (input.stat === undefined) {
        throw new DepotError('BAD_INPUT', `Cannot register ${key}: model ${sha256} is unknown; register it first.`);
      }
      this.#ensureModel(sha256, input.stat.size, input.category);
    }
    const previous = this.findByPath(key);
    if (previous && previous.sha256 !== sha256) this.#detach(key);
    const entry: FileEntry = {
      path: key,
      sha256,
      kind: input.kind,
      ...(input.category === undefined ? {} : { category: input.category }),
      ...(input.stat === undefined ? {} : fileIdentity(input.stat)),
      added_at: previous?.sha256 === sha256 ? previous.added_at : this.#isoNow(),
    };
    this.#data.files[key] = entry;
    this.#index(sha256, key);
    const model = this.#data.models[sha256];
    if (model) {
      if (model.file_path === null) model.file_path = key;
      if (model.category === null && input.category !== undefined) model.category = input.category;
    }
    await this.#changed();
    return entry;
  }

  /**
   * Forgets a file. When it was its model's canonical file, the oldest remaining file takes over; a model left with
   * no file is forgotten too (the registry indexes what is on disk). Resolves false when the path was not registered.
   */
  async removeFile(filePath: string): Promise<boolean> {
    this.#assertWritable();
    const key = path.resolve(filePath);
    if (!this.findByPath(key)) return false;
    this.#detach(key);
    await this.#changed();
    return true;
  }

  /** Adds a download URL (credentials stripped) or hub path to a model's sources. */
  async addSource(sha256: string, source: string): Promise<void> {
    this.#assertWritable();
    const model = this.#data.models[checkSha256(sha256)];
    if (!model) throw new DepotError('NOT_FOUND', `Cannot add a source to model ${sha256}: it is not registered.`);
    if (addUnique(model.sources, cleanSource(source))) await this.#changed();
  }

  /**
   * Runs `fn`; every change made inside it (also across awaits, and in nested batches) is written once, when the
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

  stats(): RegistryStats {
    let totalBytes = 0;
    let aliasCount = 0;
    for (const model of Object.values(this.#data.models)) {
      totalBytes += model.size;
      const count = this.#filesBySha.get(model.sha256)?.size ?? 0;
      aliasCount += model.file_path === null ? count : Math.max(count - 1, 0);
    }
    return {
      model_count: Object.keys(this.#data.models).length,
      alias_count: aliasCount,
      total_size_gb: Math.round((totalBytes / 1024 ** 3) * 100) / 100,
    };
  }

  /** Every model with its aliases, sorted by category then canonical path. */
  list(): ModelListing[] {
    const rows = Object.values(this.#data.models).map((model) => ({
      sha256: model.sha256,
      size: model.size,
      category: model.category,
      file_path: model.file_path,
      aliases: [...(this.#filesBySha.get(model.sha256) ?? [])].filter((p) => p !== model.file_path),
      sources: [...model.sources],
    }));
    return rows.sort(
      (a, b) =>
        (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') ||
        (a.file_path ?? '').localeCompare(b.file_path ?? ''),
    );
  }

  /** Marks the registry as no longer ours (the lock was taken over); further changes are refused. */
  markLockLost(error: Error): void {
    this.#lostLock = error;
  }

  /** Waits for pending writes and releases the lock. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await Promise.all(this.#pending);
    } finally {
      await this.#release?.();
    }
  }

  #ensureModel(sha256: string, size: number, category: string | undefined): ModelEntry {
    const existing = this.#data.models[sha256];
    if (existing) {
      if (existing.category === null && category !== undefined) existing.category = category;
      return existing;
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new DepotError('BAD_INPUT', `Cannot register model ${sha256}: size ${size} is not a byte count.`);
    }
    const model: ModelEntry = {
      sha256,
      size,
      category: category ?? null,
      file_path: null,
      sources: [],
      first_seen: this.#isoNow(),
    };
    this.#data.models[sha256] = model;
    return model;
  }

  #detach(key: string): void {
    const entry = this.#data.files[key];
    if (!entry) return;
    delete this.#data.files[key];
    const paths = this.#filesBySha.get(entry.sha256);
    paths?.delete(key);
    const model = this.#data.models[entry.sha256];
    if (!model) return;
    if (!paths || paths.size === 0) {
      this.#filesBySha.delete(entry.sha256);
      delete this.#data.models[entry.sha256];
      return;
    }
    if (model.file_path === key) model.file_path = paths.values().next().value ?? null;
  }

  #index(sha256: string, key: string): void {
    let paths = this.#filesBySha.get(sha256);
    if (!paths) {
      paths = new Set();
      this.#filesBySha.set(sha256, paths);
    }
    paths.add(key);
  }

  async #changed(): Promise<void> {
    const state = this.#batch.getStore();
    if (state) {
      state.dirty = true;
      return;
    }
    await this.#persist();
  }

  async #persist(): Promise<void> {
    const write = this.#write;
    if (!write) return;
    const promise = write(this.#data);
    this.#pending.add(promise);
    try {
      await promise;
    } finally {
      this.#pending.delete(promise);
    }
  }

  #assertWritable(): void {
    if (this.#closed) throw new DepotError('IO', `The registry ${this.file} is closed.`);
    if (this.readOnly) {
      throw new DepotError('IO', `The registry ${this.file} was opened read-only (another model-depot may own it).`);
    }
    if (this.#lostLock) {
      throw new DepotError(
        'REGISTRY_LOCKED',
        `Another model-depot took over ${this.modelsRoot} while this one was running; restart this one.`,
        { cause: this.#lostLock },
      );
    }
  }

  #isoNow(): string {
    return new Date(this.#now()).toISOString();
  }
}

function checkSha256(sha256: string): string {
  const parsed = zSha256.safeParse(sha256.toLowerCase());
  if (!parsed.success) throw new DepotError('BAD_INPUT', `"${sha256}" is not a SHA-256 (64 hex digits).`);
  return parsed.data;
}

function addUnique(list: string[], value: string): boolean {
  if (list.includes(value)) return false;
  list.push(value);
  return true;
}
