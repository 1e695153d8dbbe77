import { createHash } from 'node:crypto';
import { DigestCache, generatedContent, literalContent, type ContentSource } from './content/generated-content';
import { FaultBook } from './faults';
import { RequestLog } from './request-log';
import type {
  CivitaiFileSpec,
  CivitaiVersionSpec,
  RepoFileSpec,
  RepoSpec,
  RepoType,
  ServerName,
} from './fake-hub-types';

const MODEL_EXTENSIONS = /\.(safetensors|sft|ckpt|pt|pth|bin|gguf|onnx|pkl|msgpack|h5|npz|zip|tar|gz)$/i;
const LFS_THRESHOLD = 10 * 1024 * 1024;

export interface RepoFile {
  path: string;
  lfs: boolean;
  source: ContentSource;
  /** Bumped when the content changes: part of the CDN ETag and Last-Modified. */
  version: number;
  lastModified: Date;
}

export interface Repo {
  id: string;
  type: RepoType;
  revision: string;
  aliases: string[];
  gated: false | 'auto' | 'manual';
  private: boolean;
  tokensWithAccess: Set<string>;
  files: Map<string, RepoFile>;
  /** Bumped on every change: a new commit id. */
  generation: number;
}

export interface CivitaiFile {
  id: number;
  name: string;
  source: ContentSource;
  type: string;
  format: string;
  sizeLabel: 'full' | 'pruned';
  fp: string;
  primary: boolean;
  /** Random-looking part of the storage key, like Civitai's `<name>.<rand>.safetensors`. */
  storageKey: string;
}

export interface CivitaiVersion {
  spec: CivitaiVersionSpec;
  files: CivitaiFile[];
  tokensWithAccess: Set<string>;
}

export interface HubUrls {
  hfUrl: string;
  cdnUrl: string;
  civitaiUrl: string;
  storageUrl: string;
}

/** Everything the four servers share: repositories, Civitai versions, tokens, faults, the request log. */
export class HubState {
  readonly repos = new Map<string, Repo>();
  readonly versions = new Map<number, CivitaiVersion>();
  readonly hfTokens = new Set<string>();
  readonly civitaiTokens = new Set<string>();
  readonly digests = new DigestCache();
  readonly faults = new FaultBook();
  readonly log = new RequestLog((server, token) => this.isKnownToken(server, token));
  /** Signs CDN/storage URLs so that a client that drops their query is refused, as the real ones are. */
  readonly secret = createHash('sha256').update(String(Math.random())).digest('hex');
  /** CDN file keys handed out in resolve redirects. */
  readonly cdnFiles = new Map<string, { repo: Repo; path: string }>();
  urls: HubUrls = { hfUrl: '', cdnUrl: '', civitaiUrl: '', storageUrl: '' };

  constructor(
    readonly treePageSize: number,
    readonly treePageSizeExpanded: number,
  ) {}

  isKnownToken(server: ServerName, token: string): boolean {
    return server === 'civitai' || server === 'storage' ? this.civitaiTokens.has(token) : this.hfTokens.has(token);
  }

  addRepo(spec: RepoSpec): Repo {
    const type = spec.type ?? 'model';
    const files = new Map<string, RepoFile>();
    const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const file of spec.files) {
      const source = contentOf(file, `${type}/${spec.id}/${file.path}`);
      const lfs = file.lfs ?? (source.size > LFS_THRESHOLD || MODEL_EXTENSIONS.test(file.path));
      files.set(file.path, { path: file.path, lfs, source, version: 0, lastModified });
    }
    const repo: Repo = {
      id: spec.id,
      type,
      revision: spec.revision ?? 'main',
      aliases: spec.aliases ?? [],
      gated: spec.gated ?? false,
      private: spec.private ?? false,
      tokensWithAccess: new Set(spec.tokensWithAccess ?? []),
      files,
      generation: 0,
    };
    for (const token of repo.tokensWithAccess) this.hfTokens.add(token);
    this.repos.set(repoKey(type, spec.id), repo);
    return repo;
  }

  findRepo(type: RepoType, id: string): Repo | undefined {
    return this.repos.get(repoKey(type, id));
  }

  /** Replaces a file's bytes by new generated ones (a new commit, a new ETag). */
  changeContent(repo: Repo, path: string, seed: string | number): void {
    const file = repo.files.get(path);
    if (file === undefined) throw new Error(`fake hub: no file ${path} in ${repo.id}`);
    file.source = generatedContent(seed, file.source.size);
    file.version += 1;
    file.lastModified = new Date(file.lastModified.getTime() + 1000);
    repo.generation += 1;
  }

  addCivitaiVersion(spec: CivitaiVersionSpec): CivitaiVersion {
    const files = spec.files.map(
      (file: CivitaiFileSpec, index): CivitaiFile => ({
        id: file.id ?? spec.id * 10 + index,
        name: file.name,
        source: contentOf(file, `civitai/${spec.id}/${file.name}`),
        type: file.type ?? 'Model',
        format: file.format ?? 'SafeTensor',
        sizeLabel: file.sizeLabel ?? 'full',
        fp: file.fp ?? 'fp16',
        primary: file.primary ?? index === 0,
        storageKey: createHash('sha1').update(`${spec.id}/${file.name}/${index}`).digest('hex').slice(0, 10),
      }),
    );
    const version: CivitaiVersion = { spec, files, tokensWithAccess: new Set(spec.tokensWithAccess ?? []) };
    for (const token of version.tokensWithAccess) this.civitaiTokens.add(token);
    this.versions.set(spec.id, version);
    return version;
  }
}

export function repoKey(type: RepoType, id: string): string {
  return `${type}:${id}`;
}

/** The commit id of a repository at its current generation (40 hex, stable across runs). */
export function commitOf(repo: Repo): string {
  return createHash('sha1').update(`${repo.type}/${repo.id}@${repo.generation}`).digest('hex');
}

function contentOf(file: RepoFileSpec | CivitaiFileSpec, defaultSeed: string): ContentSource {
  if (file.content !== undefined) return literalContent(file.content);
  if (file.size === undefined) throw new Error(`fake hub: ${defaultSeed} needs a size or a content`);
  return generatedContent(file.seed ?? defaultSeed, file.size);
}
