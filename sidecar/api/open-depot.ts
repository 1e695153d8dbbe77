import type { CheckResult } from '../../shared/check-result';
import { isLoopbackHost } from '../../shared/is-loopback-host';
import type { Job } from '../../shared/job';
import type { RequirementInput } from '../../shared/requirement';
import type { CreateDepotOptions, Depot } from '../services/depot/depot-types';
import { type DepotReader, openDepot as openServiceDepot } from '../services/depot/open-depot';
import { type InstallWithProgressOptions, installWithProgress } from './install-with-progress';

/** HuggingFace and Civitai tokens by provider. */
export type InstallTokens = NonNullable<CreateDepotOptions['envTokens']>;

export interface OpenDepotOptions {
  /** ComfyUI's `models/` folder, or any folder laid out like it. Created when missing. */
  modelsRoot: string;
  /**
   * Only read: `stats`, `list` and `check`, with no lock, so it works beside a running `model-depot serve`. Default
   * false: the whole depot, which installs and holds the registry lock until `close()`.
   */
  readOnly?: boolean;
  /** Folders of models to link from instead of downloading. Default none. */
  hubDirs?: readonly string[];
  /** The HuggingFace cache (HF_HUB_CACHE) to link from. Default: not used. */
  hfCacheDir?: string;
  /** A ComfyUI install: its extra_model_paths.yaml is read as ComfyUI reads it. Default none. */
  comfyuiDir?: string;
  /** Tokens for gated downloads, kept in memory only. Default none (the API reads no environment). */
  tokens?: InstallTokens;
  /** HuggingFace or a mirror of it (HF_ENDPOINT). Default https://huggingface.co. */
  hfEndpoint?: string;
  /** Civitai or a mirror of it (CIVITAI_ENDPOINT). Default https://civitai.com. */
  civitaiEndpoint?: string;
  /** Bandwidth cap in KB/s, or null for none. Default null. */
  limitKbps?: number | null;
  /** Downloads running at once. Default 3. */
  parallel?: number;
  /** Proxy and certificate variables (HTTPS_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS...); pass `process.env` to use the process's. Default {}: direct. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ReadOnlyCheckOptions {
  /** Ask HuggingFace and Civitai for the SHA-256 and size of URLs that carry none. Default true. */
  remote?: boolean;
  /** Also list the models of muted and bypassed nodes, as optional. Default false. */
  all?: boolean;
}

/** A read-only depot: figures, the models it holds, and what a workflow needs. */
export interface DepotReaderApi {
  readonly modelsRoot: string;
  /** The registry file read (`<modelsRoot>/.registry/models.json`). */
  readonly registryFile: string;
  /** What a workflow (its parsed JSON) needs: present, linkable, to download, in conflict or unavailable. */
  check(workflow: unknown, options?: ReadOnlyCheckOptions): Promise<CheckResult>;
  stats(): ReturnType<DepotReader['stats']>;
  list(): ReturnType<DepotReader['list']>;
  close(): Promise<void>;
}

/** The whole depot: what the read-only one does, plus installs and their jobs. */
export interface DepotApi extends Omit<Depot, 'install'> {
  /** Starts one job per requirement (links first, then downloads); `settled()` waits for them. */
  install(items: readonly RequirementInput[], options?: InstallWithProgressOptions): Promise<Job[]>;
}

/**
 * Opens the depot that the `model-depot` command uses, on `modelsRoot`. Read-only gives stats, list and check;
 * otherwise the whole depot, which must be closed to release the registry lock.
 */
export function openDepot(options: OpenDepotOptions & { readOnly: true }): Promise<DepotReaderApi>;
export function openDepot(options: OpenDepotOptions & { readOnly?: false }): Promise<DepotApi>;
export async function openDepot(options: OpenDepotOptions): Promise<DepotApi | DepotReaderApi> {
  const { readOnly, tokens, ...rest } = options;
  const depotOptions = {
    ...rest,
    ...(tokens === undefined ? {} : { envTokens: tokens }),
    // Like the command line: a mirror on this machine may redirect to other loopback hosts (its CDN).
    allowLoopbackHosts: [options.hfEndpoint, options.civitaiEndpoint].some(
      (endpoint) => endpoint !== undefined && isLoopbackHost(new URL(endpoint).hostname),
    ),
  };
  if (readOnly === true) return openServiceDepot({ ...depotOptions, readOnly: true });
  const depot = await openServiceDepot({ ...depotOptions, indexInBackground: false });
  return {
    ...depot,
    install: (items: readonly RequirementInput[], installOptions: InstallWithProgressOptions = {}) =>
      installWithProgress(depot, items, installOptions),
  };
}
