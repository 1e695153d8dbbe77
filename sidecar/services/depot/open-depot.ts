import path from 'node:path';
import type { CheckResult } from '../../../shared/check-result';
import { openRegistry } from '../../registry/open-registry';
import type { ModelListing, RegistryStats } from '../../registry/registry-schema';
import type { HttpAgent } from '../../remote/http/create-http-agent';
import type { Catalog } from '../catalog/catalog-schema';
import type { CheckInput, CreateDepotOptions, Depot } from './depot-types';

/** What a read-only command needs of the depot: it takes no lock, so it works beside a running sidecar. */
export interface DepotReader {
  readonly modelsRoot: string;
  /** The registry file read (`<modelsRoot>/.registry/models.json`). */
  readonly registryFile: string;
  /**
   * What a workflow needs, against the registry and the disk. Unreadable entries are reported as such in the result;
   * only a file that is not a workflow at all throws BAD_INPUT.
   */
  check(input: CheckInput, options?: ReaderCheckOptions): Promise<CheckResult>;
  stats(): RegistryStats;
  list(): ModelListing[];
  close(): Promise<void>;
}

export interface ReaderCheckOptions {
  /** Ask HuggingFace and Civitai for the SHA-256 and size of URLs that carry none. Default true. */
  remote?: boolean;
  /** Also list the models of muted and bypassed nodes, as optional. Default false. */
  all?: boolean;
  /** Catalogs of known models, asked for the URL of a file the workflow names without one. Default none. */
  catalogs?: readonly Catalog[];
  /** `--pick` choices among catalog candidates, by file name: a URL or a 1-based index. Default none. */
  picks?: ReadonlyMap<string, string>;
}

export type OpenDepotOptions = CreateDepotOptions & {
  /**
   * Only read: no lock, no start-up index, no downloads (`check`, `stats`, `list`). Default false: the whole depot,
   * which holds the registry lock until it is closed.
   */
  readOnly?: boolean;
};

/** The one way into the depot for every command and the server. */
export function openDepot(options: CreateDepotOptions & { readOnly: true }): Promise<DepotReader>;
export function openDepot(options: CreateDepotOptions & { readOnly?: false }): Promise<Depot>;
export async function openDepot(options: OpenDepotOptions): Promise<Depot | DepotReader> {
  if (options.readOnly) return openDepotReader(options);
  // Loaded here, not at the top: `stats` and `list` start without the downloader, express or ink behind it.
  const { createDepot } = await import('./create-depot');
  return createDepot(options);
}

async function openDepotReader(options: CreateDepotOptions): Promise<DepotReader> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const registry = await openRegistry({ modelsRoot, readOnly: true });
  // What only a check needs (the workflow readers, the HTTP agent, yaml) loads at the first check, so `stats` and
  // `list` start in a few tens of milliseconds.
  let agent: HttpAgent | undefined;
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  return {
    modelsRoot,
    registryFile: registry.file,
    async check(input, { remote = true, all = false, catalogs, picks } = {}) {
      const [{ extractRequirements }, { checkRequirements }, { freeSpace }, { defaultHashCacheFile, openHashCache }] =
        await Promise.all([
          import('../../../shared/workflow/extract-requirements'),
          import('../check/check-requirements'),
          import('../../disk/free-space'),
          import('../../disk/hashing/hash-cache'),
        ]);
      const extraDirs =
        options.comfyuiDir === undefined
          ? []
          : await (await import('../../disk/places/read-extra-model-paths')).readExtraModelPaths({
              comfyuiDir: options.comfyuiDir,
              env: options.comfyuiEnv,
            });
      const extracted = extractRequirements(input, { includeInactive: all });
      const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot) });
      const { createHostPolicy } = await import('../../remote/host-policy');
      let lookupRemote = options.lookupRemote;
      if (remote && !options.offline && lookupRemote === undefined) {
        const [{ createDepotAgent }, { createRemoteLookup }, { openMetadataCache }] = await Promise.all([
          import('./create-depot-agent'),
          import('../../remote/lookup/lookup-remote-file'),
          import('../../remote/lookup/metadata-cache'),
        ]);
        agent ??= createDepotAgent({
          env: options.env,
          proxy: options.proxy,
          metadataTimeoutMs: options.metadataTimeoutMs,
        });
        lookupRemote = createRemoteLookup({
          ...endpoints,
          cache: await openMetadataCache({ modelsRoot }),
          agent,
          hfToken: options.envTokens?.huggingface,
          civitaiToken: options.envTokens?.civitai,
          // One quick retry: the person waits on these; a download retries properly later.
          retry: { limit: 1, baseMs: 300, serverLimitMs: 2000 },
        });
      }
      const result = await checkRequirements({
        requirements: extracted.requirements,
        invalid: extracted.invalid,
        registry,
        modelsRoot,
        extraDirs,
        hashCache,
        freeSpace,
        hostPolicy: createHostPolicy(endpoints),
        lookupRemote: remote && !options.offline ? lookupRemote : undefined,
        ...(catalogs && { catalogs }),
        ...(picks && { picks }),
      });
      // A file hashed during this check is not hashed again by the next one (nothing else is written).
      await hashCache.save();
      return result;
    },
    stats: () => registry.stats(),
    list: () => registry.list(),
    async close() {
      await agent?.destroy();
      await registry.close();
    },
  };
}
