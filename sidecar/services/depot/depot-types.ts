import type { CheckResult, Provider } from '../../../shared/check-result';
import type { Job } from '../../../shared/job';
import type { RequirementInput } from '../../../shared/requirement';
import type { ModelListing, RegistryStats } from '../../registry/registry-schema';
export type { ModelListing, RegistryStats } from '../../registry/registry-schema';
import type { Clock } from '../../runtime/clock';
import type { FetchLike } from '../../remote/fetch-like';
import type { Logger } from '../../runtime/logger';
import type { LookupRemote } from '../check/check-requirements';
import type { Catalog } from '../catalog/catalog-schema';
import type { DepotEvents, IndexSummary } from './depot-events';
import type { MigrateReport } from './migrate-models';

/**
 * What a check is about: a workflow JSON (any of the three requirement sources), `{ workflow }`,
 * `{ dependencies }` or both, as extractRequirements takes it.
 */
export type CheckInput = unknown;

/** Tokens that arrive with an install: used for its downloads only, kept in memory, then forgotten. */
export interface InstallTokens {
  huggingface?: string;
  civitai?: string;
}

/** What `migrate` registers, in the depot's own places (models root, hub folders, HF cache, ComfyUI's extra paths). */
export interface DepotMigrateOptions {
  /** Report what would be registered; write nothing. */
  dryRun: boolean;
  /** Only this model folder (checkpoints, loras...). Default every folder. */
  folder?: string;
}

/** How a depot's check reads the workflow. */
export interface DepotCheckOptions {
  /** Catalogs of known models, asked for the URL of a file the workflow names without one. Default none. */
  catalogs?: readonly Catalog[];
  /** `--pick` choices among catalog candidates, by file name: a URL or a 1-based index. Default none. */
  picks?: ReadonlyMap<string, string>;
  /** Ask HuggingFace and Civitai for the SHA-256 and size of URLs that carry none. Default true. */
  remote?: boolean;
  /** Also list the models of muted and bypassed nodes, as optional. Default false. */
  all?: boolean;
}

export interface InstallOptions {
  /** The client that asked (a WebSocket connection id, or 'cli'); it alone is asked for tokens. */
  clientId?: string;
  /** Tokens sent with the install (HTTP body): put in the vault for these jobs, dropped when they end. */
  tokens?: InstallTokens;
  /**
   * When a download needs a token that is missing or refused: wait for one (`waiting-for-token` + `authRequired`)
   * or fail at once with AUTH_REQUIRED/AUTH_DENIED. Default: wait when `clientId` is set (someone can answer).
   */
  waitForToken?: boolean;
}

export interface CreateDepotOptions {
  /** The models root (absolute): category folders, `.registry/`, `.cache/tmp/`. Created when missing. */
  modelsRoot: string;
  /** Hub directories (shared model folders) to link from; rescanned at every start. Default none. */
  hubDirs?: readonly string[];
  /** The HuggingFace cache (`HF_HUB_CACHE`); its blobs are registered without hashing. Default: not indexed. */
  hfCacheDir?: string;
  /**
   * The ComfyUI install given with --comfyui: its extra_model_paths.yaml is read at start, as ComfyUI reads it. A
   * model in any of its folders is present (looked up by name at check time, never indexed at start: that can mean
   * hashing hundreds of GB), and a folder's is_default root receives its downloads and links. Default none.
   */
  comfyuiDir?: string;
  /** Variables for `$VAR` in extra_model_paths.yaml (cli/ passes process.env). Default none. */
  comfyuiEnv?: Readonly<Record<string, string | undefined>>;
  /** Replaces https://huggingface.co when fetching (HF_ENDPOINT). Default https://huggingface.co. */
  hfEndpoint?: string;
  /** Replaces https://civitai.com when fetching (CIVITAI_ENDPOINT). Default https://civitai.com. */
  civitaiEndpoint?: string;
  /** Global bandwidth cap in KB/s (1 KB = 1024 bytes); null for none. Default null. */
  limitKbps?: number | null;
  /** Downloads running at once. Default 3. */
  parallel?: number;
  /** Ranged connections one large file of known size is fetched over (1: one connection). Default 8. */
  connectionsPerFile?: number;
  /**
   * Fetch used for downloads (FetchLike). Default: undici through the depot's agent for a hop that goes through a
   * proxy, socketFetch (remote/socket-http/) for a direct one.
   */
  fetch?: FetchLike;
  /** Asks a host for the SHA-256 and size of a URL without one. Default: a HEAD on HuggingFace, the Civitai API, and the metadata cache. */
  lookupRemote?: LookupRemote;
  /** Rewrites a workflow URL (real host) before fetching. Default toFetchUrl onto hfEndpoint/civitaiEndpoint. */
  rewriteUrl?: (url: string) => string;
  /** Which link kinds may be tried (tests simulate Windows without symlinks). Default all. */
  linkOptions?: { allowSymlink?: boolean; allowHardlink?: boolean };
  /** Hash worker threads for the start-up index. Default one per core. */
  hashWorkers?: number;
  /** Redacting logger (createLogger). Default silent. */
  logger?: Logger;
  /** Time source for retries, throttling and the token vault's expiry. Default the system clock. */
  clock?: Clock;
  /** Tokens from the environment (HF_TOKEN, CIVITAI_API_TOKEN): the fallback when an install brings none. */
  envTokens?: InstallTokens;
  /** Allow http:// loopback hosts (the fake hub in tests). Never set in production. Default false. */
  allowLoopbackHosts?: boolean;
  /** Index hub directories and the HF cache in the background (serve answers at once). Default true. */
  indexInBackground?: boolean;
  /**
   * The environment the depot's HTTP agent reads: HTTP_PROXY, HTTPS_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS,
   * HF_HUB_ETAG_TIMEOUT, HF_HUB_DOWNLOAD_TIMEOUT. Only cli/ and server/ read process.env; they pass it here.
   * Default {} (direct, 10 s).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** A proxy URL for every request (the config's `proxy`), over HTTP_PROXY/HTTPS_PROXY; NO_PROXY still applies. */
  proxy?: string;
  /** Catalogs of known models for a check that brings none (the extension's, over the WebSocket). Default none. */
  catalogs?: readonly Catalog[];
  /** ms each phase of a metadata request may take (connect, first byte, idle). Default HF_HUB_ETAG_TIMEOUT or 10 s. */
  metadataTimeoutMs?: number;
  /**
   * ms each phase of a download hop may take (connect, first byte, idle). Default HF_HUB_DOWNLOAD_TIMEOUT, else
   * connect 10 s, first byte 30 s, idle 60 s.
   */
  downloadTimeoutMs?: number;
  /**
   * No request at all (HF_HUB_OFFLINE, --offline): checks skip the hosts' look-ups (sizes stay unknown), installs
   * link what is on disk and fail each download, naming what it would fetch. Default false.
   */
  offline?: boolean;
}

/** The composition root used by `serve`, `install`, the TUI and tests. */
export interface Depot {
  readonly modelsRoot: string;
  /** Settles when the start-up index of hub directories and the HF cache is done. */
  readonly indexed: Promise<IndexSummary>;
  /** What a workflow needs, against the registry, the disk, hub directories and the HF cache. */
  check(input: CheckInput, options?: DepotCheckOptions): Promise<CheckResult>;
  /** Starts one job per requirement (after a fresh check): exists, link, download or fail. */
  install(items: readonly RequirementInput[], options?: InstallOptions): Promise<Job[]>;
  /** Gives a token for the jobs of `provider` waiting for one (of `clientId` when given); returns the resumed ids. */
  provideToken(provider: Provider, token: string, options?: { clientId?: string }): string[];
  /** Cancels a job (a running download keeps its partial file for a later resume). */
  cancel(jobId: string): Job | undefined;
  /** Fails the jobs of `provider` waiting for a token ("cancelled: no token given"); returns them. */
  cancelWaiting(provider: Provider, clientId?: string): Job[];
  jobs(): Job[];
  job(id: string): Job | undefined;
  /** Resolves when the given jobs (default: all current ones) are in a terminal state. */
  settled(jobIds?: readonly string[]): Promise<Job[]>;
  /** Changes the global bandwidth cap live; null removes it. */
  setLimit(kbps: number | null): void;
  /** Forgets the hosts' cached answers (SHA-256 and size of URLs), so the next check asks them again (the TUI's `r`). */
  resetMetadataCache(): Promise<void>;
  stats(): RegistryStats;
  list(): ModelListing[];
  /** Registers the models already on disk into this depot's registry: the work of `migrate`, under the depot's lock. */
  migrate(options: DepotMigrateOptions): Promise<MigrateReport>;
  on<E extends keyof DepotEvents>(event: E, listener: (payload: DepotEvents[E]) => void): () => void;
  /** Stops downloads (partial files kept for resume), forgets tokens, releases the registry lock. */
  close(): Promise<void>;
}
