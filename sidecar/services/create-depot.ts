import path from 'node:path';
import { z } from 'zod';
import type { CheckResult, Provider } from '../../shared/check-result';
import { DepotError } from '../../shared/errors';
import { extractRequirements } from '../../shared/extract-requirements';
import type { InstallTokens } from '../../shared/http-api';
import { TERMINAL_JOB_STATES, type Job } from '../../shared/job';
import { zRequirement, type Requirement, type RequirementInput, type InvalidEntry } from '../../shared/requirement';
import type { RegistryStats, ModelListing } from '../../shared/registry-schema';
import { freeSpace } from '../disk/free-space';
import { defaultHashCacheFile, openHashCache } from '../disk/hash-cache';
import { HashPool } from '../disk/hash-pool';
import { openRegistry } from '../registry/open-registry';
import { createBandwidthLimiter } from '../remote/bandwidth-limiter';
import { systemClock, type Clock } from '../remote/clock';
import { createDownloadQueue } from '../remote/download-queue';
import type { FetchLike } from '../remote/fetch-like';
import { createHostPolicy } from '../remote/host-policy';
import { toFetchUrl } from '../remote/hub-url';
import { createRemoteLookup } from '../remote/lookup-remote-file';
import { openMetadataCache } from '../remote/metadata-cache';
import type { Logger } from '../remote/logger';
import { createTokenVault } from '../remote/token-vault';
import { checkRequirements, type LookupRemote } from './check-requirements';
import type { DepotEvents, IndexSummary } from './depot-events';
import { indexModelPlaces } from './index-model-places';
import type { DownloadOne, InstallDeps } from './install-deps';
import { installRequirements } from './install-requirements';
import { TokenWaits } from './install-token-waits';
import { JobBoard } from './job-board';

export type { AuthRequiredEvent, DepotEvents, IndexSummary } from './depot-events';

/**
 * What a check is about: a workflow JSON (any of the three requirement sources), `{ workflow }`,
 * `{ dependencies }` or both, as extractRequirements takes it.
 */
export type CheckInput = unknown;

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
  /** Hub directories (seed 001) to link from; rescanned at every start. Default none. */
  hubDirs?: readonly string[];
  /** The HuggingFace cache (`HF_HUB_CACHE`); its blobs are registered without hashing. Default: not indexed. */
  hfCacheDir?: string;
  /** A ComfyUI install whose `extra_model_paths.yaml` lists more model places. Default none. */
  comfyuiDir?: string;
  /** Replaces https://huggingface.co when fetching (HF_ENDPOINT). Default https://huggingface.co. */
  hfEndpoint?: string;
  /** Replaces https://civitai.com when fetching (CIVITAI_ENDPOINT). Default https://civitai.com. */
  civitaiEndpoint?: string;
  /** Global bandwidth cap in KB/s (1 KB = 1024 bytes); null for none. Default null. */
  limitKbps?: number | null;
  /** Downloads running at once. Default 3. */
  parallel?: number;
  /** Fetch used for downloads (node-fetch shaped). Default node-fetch 3. */
  fetch?: FetchLike;
  /** Asks a host for the SHA-256 and size of a URL without one. Default C's look-up (HF HEAD, Civitai API) + metadata cache. */
  lookupRemote?: LookupRemote;
  /** Rewrites a workflow URL (real host) before fetching. Default C's toFetchUrl onto hfEndpoint/civitaiEndpoint. */
  rewriteUrl?: (url: string) => string;
  /** Which link kinds may be tried (tests simulate Windows without symlinks). Default all. */
  linkOptions?: { allowSymlink?: boolean; allowHardlink?: boolean };
  /** Hash worker threads for the start-up index. Default one per core. */
  hashWorkers?: number;
  /** Redacting logger (D's createLogger). Default silent. */
  logger?: Logger;
  /** Time source for retries, throttling and the token vault's expiry. Default the system clock. */
  clock?: Clock;
  /** Tokens from the environment (HF_TOKEN, CIVITAI_API_TOKEN): the fallback when an install brings none. */
  envTokens?: InstallTokens;
  /** Allow http:// loopback hosts (the fake hub in tests). Never set in production. Default false. */
  allowLoopbackHosts?: boolean;
  /** Index hub directories and the HF cache in the background (serve answers at once). Default true. */
  indexInBackground?: boolean;
}

/** The composition root used by `serve`, `install`, the TUI and tests. */
export interface Depot {
  readonly modelsRoot: string;
  /** Settles when the start-up index of hub directories and the HF cache is done. */
  readonly indexed: Promise<IndexSummary>;
  /** What a workflow needs, against the registry, the disk, hub directories and the HF cache. */
  check(input: CheckInput): Promise<CheckResult>;
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
  stats(): RegistryStats;
  list(): ModelListing[];
  on<E extends keyof DepotEvents>(event: E, listener: (payload: DepotEvents[E]) => void): () => void;
  /** Stops downloads (partial files kept for resume), forgets tokens, releases the registry lock. */
  close(): Promise<void>;
}

/** Most requirements one check or install takes; a real workflow needs a few dozen models. */
const MAX_REQUIREMENTS = 1000;

/**
 * Opens the registry (taking its lock), indexes hub directories and the HF cache (in the background by default),
 * and wires the check (E), the downloader (D: queue, limiter, vault, host policy) and the install into one object.
 */
export async function createDepot(options: CreateDepotOptions): Promise<Depot> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const clock = options.clock ?? systemClock;
  const registry = await openRegistry({ modelsRoot, now: () => clock.now() });
  const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot) });
  const pool = new HashPool({ workers: options.hashWorkers });
  const hostPolicy = createHostPolicy({
    hfEndpoint: options.hfEndpoint,
    civitaiEndpoint: options.civitaiEndpoint,
    allowLoopback: options.allowLoopbackHosts ?? false,
  });
  const limiter = createBandwidthLimiter({ kbps: options.limitKbps ?? null, clock });
  const vault = createTokenVault({ clock, env: options.envTokens });
  const queue = createDownloadQueue({
    hostPolicy,
    parallel: options.parallel ?? 3,
    limiter,
    fetch: options.fetch,
    clock,
    logger: options.logger,
  });
  const board = new JobBoard();
  const waits = new TokenWaits();
  const controllers = new Map<string, AbortController>();
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  const rewriteUrl = options.rewriteUrl ?? ((url: string) => toFetchUrl(url, endpoints));
  const tmpDir = path.join(modelsRoot, '.cache', 'tmp');

  const download: DownloadOne = async (request) => {
    const handle = queue.add({
      id: request.jobId,
      url: rewriteUrl(request.url),
      dest: request.dest,
      tmpDir,
      expectedSha256: request.expectedSha256,
      expectedSize: request.expectedSize,
      token: request.token,
      signal: request.signal,
      onProgress: (p) => {
        if (p.state === 'queued' || p.state === 'downloading' || p.state === 'verifying') {
          request.onProgress({ state: p.state, bytes: p.bytes, total: p.total, speed: p.speed, eta: p.eta });
        }
      },
    });
    const result = await handle.result;
    return { sha256: result.sha256, size: result.size, path: result.path };
  };
  const deps: InstallDeps = {
    modelsRoot,
    registry,
    board,
    vault,
    waits,
    download,
    controllers,
    linkOptions: options.linkOptions,
    logger: options.logger,
  };

  const indexAbort = new AbortController();
  const runIndex = (): Promise<IndexSummary> =>
    indexModelPlaces({
      registry,
      modelsRoot,
      hubDirs: options.hubDirs,
      hfCacheDir: options.hfCacheDir,
      pool,
      hashCache,
      signal: indexAbort.signal,
    }).then((summary) => {
      board.emit('indexed', summary);
      return summary;
    });
  let indexed: Promise<IndexSummary>;
  if (options.indexInBackground ?? true) {
    indexed = runIndex();
    // A failed background index is reported through `indexed`; the depot keeps serving on what the registry knows.
    indexed.catch((error: unknown) => options.logger?.warn('index failed', { error: String(error) }));
  } else {
    try {
      indexed = Promise.resolve(await runIndex());
    } catch (error) {
      await queue.close();
      await pool.close();
      await registry.close();
      throw error;
    }
  }

  const lookupRemote: LookupRemote =
    options.lookupRemote ??
    createRemoteLookup({
      hfEndpoint: options.hfEndpoint,
      civitaiEndpoint: options.civitaiEndpoint,
      // `<modelsRoot>/.cache/metadata.json`: a second check of the same template asks the hosts nothing.
      cache: await openMetadataCache({ modelsRoot, now: () => clock.now() }),
      // Only the environment's tokens: a token given for an install belongs to that install's downloads.
      hfToken: options.envTokens?.huggingface,
      civitaiToken: options.envTokens?.civitai,
    });
  const runCheck = (requirements: readonly Requirement[], invalid: readonly InvalidEntry[]): Promise<CheckResult> =>
    checkRequirements({
      requirements,
      invalid,
      registry,
      modelsRoot,
      hashCache,
      lookupRemote,
      freeSpace,
      hostPolicy,
    });

  const depot: Depot = {
    modelsRoot,
    indexed,
    async check(input) {
      const { requirements, invalid } = extractRequirements(input);
      if (requirements.length === 0 && invalid.length > 0) {
        const shown = invalid.slice(0, 3).map((e) => `${e.path}: ${e.message}`).join('; ');
        const more = invalid.length > 3 ? ` (and ${invalid.length - 3} more)` : '';
        throw new DepotError('BAD_INPUT', `The workflow names no usable model: ${shown}${more}.`);
      }
      assertNotTooMany(requirements.length);
      return runCheck(requirements, invalid);
    },
    async install(items, installOptions = {}) {
      assertNotTooMany(items.length);
      const parsed = z.array(zRequirement).safeParse(items);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DepotError('BAD_INPUT', `Install items are not requirements: ${issue?.path.join('.')}: ${issue?.message}.`);
      }
      const check = await runCheck(parsed.data, []);
      const run = installRequirements(deps, {
        check,
        clientId: installOptions.clientId,
        waitForToken: installOptions.waitForToken ?? installOptions.clientId !== undefined,
      });
      const jobIds = run.jobs.map((j) => j.id);
      for (const provider of ['huggingface', 'civitai'] as const) {
        const token = installOptions.tokens?.[provider];
        if (token) vault.put(provider, token, { clientId: installOptions.clientId, jobIds });
      }
      return run.jobs;
    },
    provideToken(provider, token, scope = {}) {
      const waiting = waits.waiting(provider, scope.clientId).filter((id) => board.ownerOf(id) === scope.clientId);
      vault.put(provider, token, { clientId: scope.clientId, jobIds: waiting });
      return waits.resume(provider, scope.clientId);
    },
    cancel(jobId) {
      const job = board.get(jobId);
      if (!job || TERMINAL_JOB_STATES.has(job.state)) return job;
      const cancelled = board.update(jobId, {
        state: 'cancelled',
        speed: 0,
        eta: undefined,
        error: { code: 'CANCELLED', message: `${job.targetPath}: cancelled.` },
      });
      waits.cancelJob(jobId);
      controllers.get(jobId)?.abort(new DepotError('CANCELLED', `${job.targetPath}: cancelled.`));
      vault.release([jobId]);
      return cancelled;
    },
    cancelWaiting(provider, clientId) {
      const ids = waits.cancel(provider, clientId);
      return ids.map((id) => board.get(id)).filter((j): j is Job => j !== undefined);
    },
    jobs: () => board.list(),
    job: (id) => board.get(id),
    settled: (ids) => board.whenSettled(ids ?? board.list().map((j) => j.id)),
    setLimit: (kbps) => limiter.setRate(kbps),
    stats: () => registry.stats(),
    list: () => registry.list(),
    on: (event, listener) => board.on(event, listener),
    async close() {
      indexAbort.abort(new DepotError('CANCELLED', 'The depot is closing.'));
      await indexed.catch(() => undefined);
      waits.cancelAll();
      // Partial downloads stay in .cache/tmp with their resume state: the next run continues them.
      await queue.close();
      vault.forget();
      await pool.close();
      await hashCache.save();
      await registry.close();
    },
  };
  return depot;
}

function assertNotTooMany(count: number): void {
  if (count > MAX_REQUIREMENTS) {
    throw new DepotError(
      'BAD_INPUT',
      `The workflow names ${count} models; at most ${MAX_REQUIREMENTS} are checked or installed at once. Split it.`,
    );
  }
}
