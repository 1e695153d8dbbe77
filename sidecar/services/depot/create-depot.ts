import path from 'node:path';
import { z } from 'zod';
import type { CheckResult } from '../../../shared/check-result';
import { DepotError } from '../../../shared/errors';
import { assertNotTooMany, usableRequirements } from '../../../shared/workflow/usable-requirements';
import { TERMINAL_JOB_STATES, type Job } from '../../../shared/job';
import { zRequirement, type Requirement, type InvalidEntry } from '../../../shared/requirement';
import { recentFreeSpace } from '../../disk/recent-free-space';
import { readExtraModelPaths } from '../../disk/places/read-extra-model-paths';
import { defaultHashCacheFile, openHashCache } from '../../disk/hashing/hash-cache';
import { HashPool } from '../../disk/hashing/hash-pool';
import { openRegistry } from '../../registry/open-registry';
import { createBandwidthLimiter } from '../../remote/bandwidth-limiter';
import { systemClock } from '../../runtime/clock';
import { createDownloadFetch } from '../../remote/download/download-fetch';
import { createDownloadQueue } from '../../remote/download/download-queue';
import { createHostPolicy } from '../../remote/host-policy';
import { toFetchUrl } from '../../remote/hub/hub-url';
import { createRemoteLookup } from '../../remote/lookup/lookup-remote-file';
import { createDepotAgent } from './create-depot-agent';
import { downloadTimeouts } from './download-timeouts';
import { offlineDownload } from './offline-download';
import { openMetadataCache } from '../../remote/lookup/metadata-cache';
import { createTokenVault } from '../../remote/token-vault';
import { checkRequirements, type LookupRemote } from '../check/check-requirements';
import type { IndexSummary } from './depot-events';
import type { CreateDepotOptions, Depot, DepotCheckOptions } from './depot-types';
import { indexModelPlaces } from './index-model-places';
import { migrateModels } from './migrate-models';
import type { InstallDeps } from '../install/install-deps';
import { createDownloadOne } from '../install/install-download-one';
import { installRequirements } from '../install/install-requirements';
import { TokenWaits } from '../install/install-token-waits';
import { JobBoard } from '../install/job-board';

export type { AuthRequiredEvent, DepotEvents, IndexSummary } from './depot-events';
export type { CheckInput, CreateDepotOptions, Depot, InstallOptions } from './depot-types';

/**
 * Opens the registry (taking its lock), indexes hub directories and the HF cache (in the background by default),
 * and wires the check, the downloader (queue, limiter, token vault, host policy) and the install into one object.
 */
export async function createDepot(options: CreateDepotOptions): Promise<Depot> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const clock = options.clock ?? systemClock;
  // Before the lock is taken: an unusable proxy or CA setting fails here with nothing to undo.
  const agent = createDepotAgent({
    env: options.env,
    proxy: options.proxy,
    metadataTimeoutMs: options.metadataTimeoutMs,
  });
  const timeouts = downloadTimeouts({ env: options.env, downloadTimeoutMs: options.downloadTimeoutMs });
  // Like ComfyUI, once at start; a malformed file fails here too, before the lock.
  const extraDirs =
    options.comfyuiDir === undefined
      ? []
      : await readExtraModelPaths({ comfyuiDir: options.comfyuiDir, env: options.comfyuiEnv });
  const registry = await openRegistry({ modelsRoot, now: () => clock.now() });
  // The registry lock is held from here on: the cache may remove temporary files its killed savers left. A start-up
  // step that fails after this releases what was opened, so the lock is never kept by a depot nobody can close.
  const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot), holdsRegistryLock: true }).catch(
    async (error: unknown) => {
      await agent.destroy();
      await registry.close();
      throw error;
    },
  );
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
    connections: options.connectionsPerFile,
    limiter,
    // Proxied hops over undici through the agent, direct ones over the hand-written client.
    fetch: options.fetch ?? createDownloadFetch({ agent, timeouts }),
    timeouts: { response: timeouts.firstByteMs, idle: timeouts.idleMs },
    clock,
    logger: options.logger,
  });
  const board = new JobBoard();
  const waits = new TokenWaits();
  const controllers = new Map<string, AbortController>();
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  const rewriteUrl = options.rewriteUrl ?? ((url: string) => toFetchUrl(url, endpoints));
  const tmpDir = path.join(modelsRoot, '.cache', 'tmp');

  const download = options.offline ? offlineDownload(rewriteUrl) : createDownloadOne({ queue, tmpDir, rewriteUrl });
  const deps: InstallDeps = {
    modelsRoot,
    extraDirs,
    registry,
    board,
    vault,
    waits,
    download,
    controllers,
    linkOptions: options.linkOptions,
    logger: options.logger,
  };

  /** Undoes what start-up opened once the queue exists, when a later step of it fails. */
  const releaseStartup = async (): Promise<void> => {
    await queue.close();
    await agent.destroy();
    await pool.close();
    await registry.close();
  };

  const indexAbort = new AbortController();
  // Ends the waits between a look-up's tries when the depot closes (the TUI quits mid-check): the agent's destroy
  // fails the requests themselves.
  const closing = new AbortController();
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
      await releaseStartup();
      throw error;
    }
  }

  // `<modelsRoot>/.cache/metadata.json`: a second check of the same template asks the hosts nothing.
  const metadataCache = await openMetadataCache({ modelsRoot, now: () => clock.now() }).catch(
    async (error: unknown) => {
      indexAbort.abort(new DepotError('CANCELLED', 'The depot did not start.'));
      await indexed.catch(() => undefined);
      await releaseStartup();
      throw error;
    },
  );
  const lookupRemote: LookupRemote | undefined = options.offline
    ? undefined
    : (options.lookupRemote ??
      createRemoteLookup({
        hfEndpoint: options.hfEndpoint,
        civitaiEndpoint: options.civitaiEndpoint,
        cache: metadataCache,
        agent,
        // Only the environment's tokens: a token given for an install belongs to that install's downloads.
        hfToken: options.envTokens?.huggingface,
        civitaiToken: options.envTokens?.civitai,
        sleep: (ms) => systemClock.sleep(ms, closing.signal),
      }));
  const freeSpace = recentFreeSpace({ now: () => clock.now() });
  const runCheck = (
    requirements: readonly Requirement[],
    invalid: readonly InvalidEntry[],
    { remote = true, all: _all, ...checkOptions }: DepotCheckOptions = {},
  ): Promise<CheckResult> =>
    checkRequirements({
      // A check that brings no catalogs (the extension's) uses the depot's own: the config's and --catalog.
      ...(options.catalogs && { catalogs: options.catalogs }),
      ...checkOptions,
      requirements,
      invalid,
      registry,
      modelsRoot,
      extraDirs,
      hashCache,
      lookupRemote: remote ? lookupRemote : undefined,
      freeSpace,
      hostPolicy,
    });

  const depot: Depot = {
    modelsRoot,
    indexed,
    async check(input, checkOptions = {}) {
      const { requirements, invalid } = usableRequirements(input, { includeInactive: checkOptions.all === true });
      return runCheck(requirements, invalid, checkOptions);
    },
    async install(items, installOptions = {}) {
      assertNotTooMany(items.length);
      const parsed = z.array(zRequirement).safeParse(items);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DepotError(
          'BAD_INPUT',
          `Install items are not requirements: ${issue?.path.join('.')}: ${issue?.message}.`,
        );
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
    resetMetadataCache: () => metadataCache.reset(),
    stats: () => registry.stats(),
    list: () => registry.list(),
    migrate: async ({ dryRun, folder }) =>
      migrateModels({
        modelsRoot,
        hubDirs: options.hubDirs,
        hfCacheDir: options.hfCacheDir,
        comfyuiDir: options.comfyuiDir,
        env: options.comfyuiEnv,
        folder,
        dryRun,
        registry,
        // A dry run changes nothing, this depot's hash cache included: it fills a copy read from the disk.
        hashCache: dryRun ? await openHashCache({ file: defaultHashCacheFile(modelsRoot) }) : hashCache,
        pool,
      }),
    on: (event, listener) => board.on(event, listener),
    async close() {
      closing.abort(new DepotError('CANCELLED', 'The depot is closing.'));
      indexAbort.abort(new DepotError('CANCELLED', 'The depot is closing.'));
      await indexed.catch(() => undefined);
      waits.cancelAll();
      // Partial downloads stay in .cache/tmp with their resume state: the next run continues them.
      await queue.close();
      await agent.destroy();
      vault.forget();
      await pool.close();
      await hashCache.save();
      await registry.close();
    },
  };
  return depot;
}
