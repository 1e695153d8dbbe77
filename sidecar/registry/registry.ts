import path from 'node:path';
import { DepotError } from '../../shared/errors';
import {
  type FileEntry,
  type FileKind,
  type ModelEntry,
  type ModelListing,
  type RegistryFile,
  type RegistryStats,
  zSha256,
} from './registry-schema';
import type { FileIdentity } from '../disk/hashing/file-identity';
import { BatchedWrites } from './batched-writes';
import { cleanSource } from './clean-source';
import { RegistryIndex } from './registry-index';
import { registryListing, registryStats } from './registry-listing';

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
  /** For a link made in place of a copy: the absolute path of the canonical file it depends on. */
  linkTarget?: string;
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

/**
 * The model registry: models keyed by SHA-256, files keyed by absolute path. Reads are synchronous, from memory
 * (indexes built on load, so 10,000 models stay fast); each change writes the whole file atomically, unless it runs
 * inside `batch()`, which writes once at the end. This class checks the caller's input and who may write; the
 * in-memory index (`RegistryIndex`), the figures (`registry-listing`) and when to save (`BatchedWrites`) are apart.
 */
export class Registry {
  readonly modelsRoot: string;
  readonly file: string;
  readonly readOnly: boolean;
  /** Where a corrupt registry file was kept when this registry was opened with `recoverCorrupt` (else undefined). */
  readonly keptAside?: string;
  readonly #index: RegistryIndex;
  readonly #writes: BatchedWrites;
  readonly #release?: () => Promise<void>;
  #closed = false;
  #lostLock: Error | undefined;

  constructor(init: RegistryInit) {
    this.modelsRoot = init.modelsRoot;
    this.file = init.file;
    this.readOnly = init.write === undefined;
    this.keptAside = init.keptAside;
    this.#index = new RegistryIndex(init.data, init.now);
    const { write } = init;
    this.#writes = new BatchedWrites(write && (() => write(this.#index.data)));
    this.#release = init.release;
  }

  findBySha256(sha256: string): Readonly<ModelEntry> | undefined {
    return this.#index.model(sha256.toLowerCase());
  }

  findByPath(filePath: string): Readonly<FileEntry> | undefined {
    return this.#index.file(path.resolve(filePath));
  }

  /** The files of a model, its canonical file first. */
  filesOf(sha256: string): Readonly<FileEntry>[] {
    return this.#index.filesOf(sha256.toLowerCase());
  }

  /** The registered files whose base name is `name` (`model.safetensors`), from an index: no scan. */
  filesNamed(name: string): Readonly<FileEntry>[] {
    return [...this.#index.pathsNamed(name)]
      .map((key) => this.#index.file(key))
      .filter((entry): entry is FileEntry => entry !== undefined);
  }

  /** Every registered file (for rescans that drop files gone from disk). */
  allFiles(): Readonly<FileEntry>[] {
    return Object.values(this.#index.data.files);
  }

  async upsertModel(input: UpsertModelInput): Promise<Readonly<ModelEntry>> {
    this.#assertWritable();
    const model = this.#index.ensureModel(checkSha256(input.sha256), input.size, input.category);
    if (input.source !== undefined) addUnique(model.sources, cleanSource(input.source));
    await this.#writes.changed();
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
    if (!this.#index.model(sha256)) {
      if (input.stat === undefined) {
        throw new DepotError('BAD_INPUT', `Cannot register ${key}: model ${sha256} is unknown; register it first.`);
      }
      this.#index.ensureModel(sha256, input.stat.size, input.category);
    }
    const linkTarget = input.linkTarget === undefined ? undefined : path.resolve(input.linkTarget);
    const entry = this.#index.putFile({ ...input, path: key, sha256, linkTarget });
    await this.#writes.changed();
    return entry;
  }

  /**
   * Forgets a file. When it was its model's canonical file, the oldest remaining file takes over; a model left with
   * no file is forgotten too (the registry indexes what is on disk). Resolves false when the path was not registered.
   */
  async removeFile(filePath: string): Promise<boolean> {
    this.#assertWritable();
    const key = path.resolve(filePath);
    if (!this.#index.file(key)) return false;
    this.#index.detach(key);
    await this.#writes.changed();
    return true;
  }

  /** The registered links that depend on `filePath` (their `link_target`), in no particular order. */
  linksTo(filePath: string): Readonly<FileEntry>[] {
    const key = path.resolve(filePath);
    return this.allFiles().filter((entry) => entry.link_target === key);
  }

  /** Moves a model's canonical role to another of its registered files (before its old canonical file goes). */
  async setCanonical(sha256: string, filePath: string): Promise<void> {
    this.#assertWritable();
    this.#index.setCanonical(checkSha256(sha256), path.resolve(filePath));
    await this.#writes.changed();
  }

  /** Adds a download URL (credentials stripped) or hub path to a model's sources. */
  async addSource(sha256: string, source: string): Promise<void> {
    this.#assertWritable();
    const model = this.#index.model(checkSha256(sha256));
    if (!model) throw new DepotError('NOT_FOUND', `Cannot add a source to model ${sha256}: it is not registered.`);
    if (addUnique(model.sources, cleanSource(source))) await this.#writes.changed();
  }

  /**
   * Runs `fn`; every change made inside it (also across awaits, and in nested batches) is written once, when the
   * outermost batch ends, even if `fn` throws (memory and disk stay the same).
   */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.#writes.batch(fn);
  }

  stats(): RegistryStats {
    return registryStats(this.#index);
  }

  /** Every model with its aliases, sorted by category then canonical path. */
  list(): ModelListing[] {
    return registryListing(this.#index);
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
      await this.#writes.settled();
    } finally {
      await this.#release?.();
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
}

function addUnique(list: string[], value: string): boolean {
  if (list.includes(value)) return false;
  list.push(value);
  return true;
}

/** A caller's SHA-256 as the registry keys it (lowercase hex); anything else is BAD_INPUT. */
function checkSha256(sha256: string): string {
  const parsed = zSha256.safeParse(sha256.toLowerCase());
  if (!parsed.success) throw new DepotError('BAD_INPUT', `"${sha256}" is not a SHA-256 (64 hex digits).`);
  return parsed.data;
}
