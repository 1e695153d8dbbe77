import type { Provider } from '../../../shared/check-result';
import type { ExtraModelDir } from '../../disk/places/read-extra-model-paths';
import type { Registry } from '../../registry/registry';
import type { Logger } from '../../runtime/logger';
import type { TokenVault } from '../../remote/token-vault';
import type { JobBoard } from './job-board';
import type { TokenWaits } from './install-token-waits';

/** One download as the install sees it; the depot builds it from the downloader (queue, limiter, host policy). */
export interface DownloadRequest {
  jobId: string;
  /** The URL as the workflow gave it (real host); the depot rewrites it to HF_ENDPOINT / CIVITAI_ENDPOINT. */
  url: string;
  /** Absolute, already checked safe. */
  dest: string;
  expectedSha256?: string;
  expectedSize?: number;
  provider?: Provider;
  token?: string;
  /** Who `token` belongs to (the vault's holder); transfers are shared only within one holder. */
  tokenHolder?: string;
  signal: AbortSignal;
  onProgress: (progress: DownloadProgressEvent) => void;
}

export interface DownloadProgressEvent {
  state: 'queued' | 'downloading' | 'verifying';
  bytes: number;
  total?: number;
  /** Bytes per second, smoothed. */
  speed: number;
  /** Seconds left, when known. */
  eta?: number;
}

/**
 * Resolves with where the bytes are: `dest`, or the destination of another job whose transfer this one joined
 * (the same SHA-256 downloading at once: the bytes travel once, the second name is then linked).
 */
export type DownloadOne = (request: DownloadRequest) => Promise<{ sha256: string; size: number; path: string }>;

/** What the install needs from the depot; built once in createDepot. */
export interface InstallDeps {
  modelsRoot: string;
  /** A ComfyUI install's extra_model_paths.yaml folders: a folder's is_default root receives its models. Default none. */
  extraDirs?: readonly ExtraModelDir[];
  registry: Registry;
  board: JobBoard;
  vault: TokenVault;
  waits: TokenWaits;
  download: DownloadOne;
  /** Abort controllers of running jobs, for cancel. */
  controllers: Map<string, AbortController>;
  /** Which link kinds may be tried (tests force hard links or copies). Default all. */
  linkOptions?: { allowSymlink?: boolean; allowHardlink?: boolean };
  logger?: Logger;
}
