import { mkdir, stat } from 'node:fs/promises';
import type { CheckItem, Provider } from '../../../shared/check-result';
import { DepotError, isDepotError } from '../../../shared/errors';
import { resolveModelPlaces } from '../../disk/places/resolve-model-places';
import { assertStillInside } from '../../disk/safe-path';
import { stripUrlCredentials } from '../../runtime/redact-url';
import type { InstallDeps } from './install-deps';
import { linkItem } from './install-link';

export interface DownloadItemOptions {
  /** The client that started the job; its tokens are used and it alone is asked for one. */
  clientId?: string;
  /** Park the job in `waiting-for-token` on AUTH_REQUIRED/AUTH_DENIED instead of failing. */
  waitForToken: boolean;
}

/**
 * Downloads a missing item into its safe path and registers model, file and source URL. A job for bytes another job
 * is already fetching (same SHA-256, or same URL without one) joins that transfer and then links to it: the bytes
 * travel once. On an auth failure the job waits for a token (or fails), then resumes the partial download.
 */
export async function downloadItem(
  deps: InstallDeps,
  jobId: string,
  item: CheckItem,
  options: DownloadItemOptions,
): Promise<void> {
  const url = item.url;
  if (url === undefined) throw new DepotError('NOT_FOUND', `${item.targetPath}: no URL to download it from.`);
  const { target: dest, root } = resolveModelPlaces({
    modelsRoot: deps.modelsRoot,
    extraDirs: deps.extraDirs,
    category: item.requirement.category,
    filename: item.requirement.filename,
  });
  // An is_default root of extra_model_paths.yaml may not exist yet; the models root always does.
  await mkdir(root, { recursive: true });
  await fetchAndRegister(deps, jobId, item, { ...options, url, dest, root });
}

async function fetchAndRegister(
  deps: InstallDeps,
  jobId: string,
  item: CheckItem,
  options: DownloadItemOptions & { url: string; dest: string; root: string },
): Promise<void> {
  const { board, registry, vault } = deps;
  const provider = item.provider;
  const scope = { clientId: options.clientId };
  const controller = new AbortController();
  deps.controllers.set(jobId, controller);
  try {
    for (;;) {
      const token = provider ? vault.get(provider, scope) : undefined;
      if (provider && token) vault.attach(provider, jobId, scope);
      try {
        await assertStillInside(options.root, options.dest);
        const result = await deps.download({
          jobId,
          url: options.url,
          dest: options.dest,
          expectedSha256: item.sha256,
          expectedSize: item.size,
          provider,
          token,
          tokenHolder: provider && token ? vault.holder(provider, scope) : undefined,
          signal: controller.signal,
          onProgress: (p) =>
            board.update(jobId, { state: p.state, bytes: p.bytes, total: p.total, speed: p.speed, eta: p.eta }),
        });
        if (result.path !== options.dest) {
          // Joined another job's transfer: the bytes are at its destination; this name becomes a link to them.
          return await linkItem(deps, jobId, { ...item, sha256: result.sha256 }, result.path, 'file');
        }
        const fileStat = await stat(options.dest);
        await registry.batch(async () => {
          const category = item.requirement.category;
          await registry.upsertModel({
            sha256: result.sha256,
            size: result.size,
            category,
            source: stripUrlCredentials(options.url),
          });
          await registry.addFile({ path: options.dest, sha256: result.sha256, kind: 'file', category, stat: fileStat });
        });
        board.update(jobId, { state: 'complete', bytes: result.size, total: result.size, speed: 0, eta: 0 });
        return;
      } catch (error) {
        if (controller.signal.aborted || board.isTerminal(jobId)) return;
        if (!provider || !options.waitForToken || !isAuthError(error)) throw error;
        await waitForToken(deps, jobId, item, provider, options.clientId, error, token !== undefined);
      }
    }
  } finally {
    deps.controllers.delete(jobId);
  }
}

function isAuthError(error: unknown): error is DepotError {
  return isDepotError(error) && (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_DENIED');
}

/** Parks the job until its client gives a token; a refused token is forgotten first so a new one is asked for. */
async function waitForToken(
  deps: InstallDeps,
  jobId: string,
  item: CheckItem,
  provider: Provider,
  clientId: string | undefined,
  error: DepotError,
  hadToken: boolean,
): Promise<void> {
  if (hadToken) deps.vault.forget(provider, { clientId });
  deps.board.update(jobId, { state: 'waiting-for-token', speed: 0, eta: undefined });
  const waiting = deps.waits.wait(jobId, provider, clientId);
  const jobIds = deps.waits.waiting(provider, clientId);
  const accessUrl = typeof error.details?.accessUrl === 'string' ? error.details.accessUrl : undefined;
  deps.board.emit('authRequired', {
    clientId,
    provider,
    jobIds,
    filenames: jobIds.map((id) => deps.board.get(id)?.filename ?? item.requirement.filename),
    reason: error.code === 'AUTH_DENIED' ? 'denied' : 'missing',
    accessUrl,
    message: error.message,
  });
  await waiting;
}
