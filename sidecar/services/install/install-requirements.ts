import type { CheckItem, CheckResult } from '../../../shared/check-result';
import { DepotError, isDepotError, type DepotErrorCode } from '../../../shared/errors';
import type { Job } from '../../../shared/job';
import { resolveModelPath } from '../../disk/safe-path';
import type { InstallDeps } from './install-deps';
import { downloadItem } from './install-download';
import { linkItem, linkSourceOf } from './install-link';

export interface InstallRequirementsOptions {
  /** A fresh check of the requirements to install. */
  check: CheckResult;
  /** The client that asked; it alone is asked for tokens. */
  clientId?: string;
  /** Park downloads that need a token in `waiting-for-token` (true) or fail them at once (false). */
  waitForToken: boolean;
}

export interface InstallRun {
  /** One job per checked item, in the check's order, in their first state. */
  jobs: Job[];
  /** Settles when every job has reached a terminal state (never rejects). */
  done: Promise<void>;
}

/**
 * What installing does with each checked item: `present` -> exists; `linkable` -> linked (relative symlink, hard
 * link or copy) and registered as an alias; `missing` -> downloaded into its safe path and registered with its
 * source; `conflict` and `unavailable` -> failed with the check's reason (nothing is overwritten). Links run first,
 * then downloads.
 */
export function installRequirements(deps: InstallDeps, options: InstallRequirementsOptions): InstallRun {
  const { board } = deps;
  const created = options.check.items.map((item) => ({
    item,
    job: board.add(firstFields(item, deps.modelsRoot), options.clientId),
  }));
  const links = created.filter(({ item }) => item.status === 'linkable');
  const downloads = created.filter(({ item }) => item.status === 'missing');

  const runOne = async (job: Job, item: CheckItem): Promise<void> => {
    if (board.isTerminal(job.id)) return; // cancelled while queued
    try {
      if (item.status === 'linkable') {
        const source = linkSourceOf(item);
        if (!source)
          throw new DepotError('IO', `${item.targetPath}: the check found no copy to link; run check again.`);
        await linkItem(deps, job.id, item, source.path, source.kind);
      } else {
        await downloadItem(deps, job.id, item, { clientId: options.clientId, waitForToken: options.waitForToken });
      }
    } catch (error) {
      const detail = isDepotError(error) ? error.message : String(error);
      deps.logger?.warn('install job failed', { job: job.id, file: item.targetPath, code: codeOf(error), detail });
      board.update(job.id, { state: 'failed', speed: 0, eta: undefined, error: publicError(error) });
    } finally {
      deps.vault.release([job.id]);
    }
  };

  const done = (async () => {
    await Promise.all(links.map(({ job, item }) => runOne(job, item)));
    // The downloader's queue bounds how many run at once; here every download is handed over together.
    await Promise.all(downloads.map(({ job, item }) => runOne(job, item)));
  })();
  return { jobs: created.map(({ job }) => board.get(job.id) ?? job), done };
}

function firstFields(
  item: CheckItem,
  modelsRoot: string,
): Omit<Job, 'id' | 'bytes' | 'speed'> & { bytes?: number; error?: Job['error'] } {
  const base = {
    category: item.requirement.category,
    filename: item.requirement.filename,
    targetPath: item.targetPath,
    displayName: item.requirement.displayName,
    provider: item.provider,
    total: item.size,
  };
  switch (item.status) {
    case 'present':
      return { ...base, state: 'exists', bytes: item.size ?? 0 };
    case 'linkable':
    case 'missing':
      return { ...base, state: 'queued' };
    case 'conflict':
      return {
        ...base,
        state: 'failed',
        error: {
          code: 'CONFLICT',
          message: item.reason ?? `${item.targetPath}: another file sits under this name; it was left untouched.`,
        },
      };
    case 'unavailable':
      return {
        ...base,
        state: 'failed',
        error: {
          code: unavailableCode(item, modelsRoot),
          message: item.reason ?? `${item.targetPath}: no usable URL to download it from.`,
        },
      };
  }
}

/** Why an item is unavailable, as a code: its name is unsafe, its URLs are not allowed, or it has none. */
function unavailableCode(item: CheckItem, modelsRoot: string): DepotErrorCode {
  // The check's own code when it gives one: it also sees a folder that resolves outside the models root.
  if (item.code !== undefined) return item.code;
  try {
    resolveModelPath({ modelsRoot, category: item.requirement.category, filename: item.requirement.filename });
  } catch (error) {
    if (isDepotError(error) && error.code === 'UNSAFE_PATH') return 'UNSAFE_PATH';
    throw error;
  }
  return item.requirement.urls.length > 0 ? 'HOST_NOT_ALLOWED' : 'NOT_FOUND';
}

function codeOf(error: unknown): DepotErrorCode | 'UNKNOWN' {
  return isDepotError(error) ? error.code : 'UNKNOWN';
}

/** A job's error as shown to every client: DepotError messages are written to be shown; others are hidden. */
function publicError(error: unknown): { code: string; message: string } {
  if (isDepotError(error)) return { code: error.code, message: error.message };
  return { code: 'IO', message: 'The install failed with an unexpected error; see the sidecar log.' };
}
