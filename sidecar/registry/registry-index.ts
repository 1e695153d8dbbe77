import { basename } from 'node:path';
import { DepotError } from '../../shared/errors';
import type { FileEntry, FileKind, ModelEntry, RegistryFile } from './registry-schema';
import { fileIdentity, type FileIdentity } from '../disk/hashing/file-identity';

/** A file to put in the index; its key and SHA-256 are already normalized (absolute path, lowercase hex). */
export interface IndexedFileInput {
  path: string;
  sha256: string;
  kind: FileKind;
  category?: string;
  stat?: FileIdentity;
  /** Absolute path of the canonical file this link depends on. */
  linkTarget?: string;
}

/**
 * The registry's data in memory, with the index that keeps reads fast on 10,000 models: for each SHA-256 the paths of
 * its files in registration order (so `filesOf`, aliases and "the oldest remaining file" need no scan of all files).
 * It changes memory only: saving is the Registry's job. Callers pass normalized keys.
 */
export class RegistryIndex {
  /** The registry file's content, changed in place (what gets written). */
  readonly data: RegistryFile;
  readonly #now: () => number;
  /** sha256 -> paths of its files, in registration order. */
  readonly #filesBySha = new Map<string, Set<string>>();
  /** base name -> paths of the files so named: a check finds a model named without a SHA-256 with no scan. */
  readonly #filesByName = new Map<string, Set<string>>();

  constructor(data: RegistryFile, now: () => number) {
    this.data = data;
    this.#now = now;
    for (const entry of Object.values(data.files)) this.#index(entry.sha256, entry.path);
  }

  model(sha256: string): ModelEntry | undefined {
    return Object.hasOwn(this.data.models, sha256) ? this.data.models[sha256] : undefined;
  }

  file(key: string): FileEntry | undefined {
    return Object.hasOwn(this.data.files, key) ? this.data.files[key] : undefined;
  }

  /** Paths of a model's files, in registration order (empty when it has none). */
  pathsOf(sha256: string): ReadonlySet<string> {
    return this.#filesBySha.get(sha256) ?? new Set();
  }

  /** Paths of the files whose base name is `name` (empty when there is none). */
  pathsNamed(name: string): ReadonlySet<string> {
    return this.#filesByName.get(name) ?? new Set();
  }

  /** The files of a model, its canonical file first. */
  filesOf(sha256: string): FileEntry[] {
    const canonical = this.model(sha256)?.file_path;
    const entries = [...this.pathsOf(sha256)]
      .map((p) => this.data.files[p])
      .filter((e): e is FileEntry => e !== undefined);
    return entries.sort((a, b) => Number(b.path === canonical) - Number(a.path === canonical));
  }

  /** The model of `sha256`, created with `size` when it is new; a category fills one the model lacks. */
  ensureModel(sha256: string, size: number, category: string | undefined): ModelEntry {
    const existing = this.model(sha256);
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
    this.data.models[sha256] = model;
    return model;
  }

  /**
   * Puts a file under its model (which must exist). The model's first file becomes its canonical `file_path`; a path
   * indexed before under another SHA-256 (the file was replaced) moves to the new model.
   */
  putFile(input: IndexedFileInput): FileEntry {
    const { path: key, sha256 } = input;
    const previous = this.file(key);
    if (previous && previous.sha256 !== sha256) this.detach(key);
    const entry: FileEntry = {
      path: key,
      sha256,
      kind: input.kind,
      ...(input.category === undefined ? {} : { category: input.category }),
      ...(input.stat === undefined ? {} : fileIdentity(input.stat)),
      ...(input.linkTarget === undefined ? {} : { link_target: input.linkTarget }),
      added_at: previous?.sha256 === sha256 ? previous.added_at : this.#isoNow(),
    };
    this.data.files[key] = entry;
    this.#index(sha256, key);
    const model = this.model(sha256);
    if (model) {
      if (model.file_path === null) model.file_path = key;
      if (model.category === null && input.category !== undefined) model.category = input.category;
    }
    return entry;
  }

  /**
   * Forgets a file. When it was its model's canonical file, the oldest remaining file takes over; a model left with
   * no file is forgotten too (the registry indexes what is on disk).
   */
  detach(key: string): void {
    const entry = this.file(key);
    if (!entry) return;
    delete this.data.files[key];
    const named = this.#filesByName.get(basename(key));
    named?.delete(key);
    if (named?.size === 0) this.#filesByName.delete(basename(key));
    const paths = this.#filesBySha.get(entry.sha256);
    paths?.delete(key);
    const model = this.model(entry.sha256);
    if (!model) return;
    if (!paths || paths.size === 0) {
      this.#filesBySha.delete(entry.sha256);
      delete this.data.models[entry.sha256];
      return;
    }
    if (model.file_path === key) model.file_path = paths.values().next().value ?? null;
  }

  /** Makes `key` (a file of `sha256`) the model's canonical file. */
  setCanonical(sha256: string, key: string): void {
    const model = this.model(sha256);
    if (!model || this.file(key)?.sha256 !== sha256) {
      throw new DepotError('BAD_INPUT', `Cannot make ${key} canonical: it is not a registered file of ${sha256}.`);
    }
    model.file_path = key;
  }

  #index(sha256: string, key: string): void {
    addTo(this.#filesBySha, sha256, key);
    addTo(this.#filesByName, basename(key), key);
  }

  #isoNow(): string {
    return new Date(this.#now()).toISOString();
  }
}

function addTo(index: Map<string, Set<string>>, key: string, path: string): void {
  let paths = index.get(key);
  if (!paths) {
    paths = new Set();
    index.set(key, paths);
  }
  paths.add(path);
}
