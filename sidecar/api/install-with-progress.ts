import { TERMINAL_JOB_STATES, type Job } from '../../shared/job';
import type { RequirementInput } from '../../shared/requirement';
import type { Depot, InstallOptions } from '../services/depot/depot-types';

export interface InstallWithProgressOptions extends InstallOptions {
  /** Called with a job at each change of one of this install's jobs; the last call has its final state. */
  onProgress?: (job: Job) => void;
}

/**
 * `depot.install` with a progress callback for its own jobs. The depot emits its events for every job, some of them
 * before `install` returns the new jobs' ids: those are kept and handed over once the ids are known.
 */
export async function installWithProgress(
  depot: Depot,
  items: readonly RequirementInput[],
  options: InstallWithProgressOptions,
): Promise<Job[]> {
  const { onProgress, ...installOptions } = options;
  if (onProgress === undefined) return depot.install(items, installOptions);
  let ours: ReadonlySet<string> | undefined;
  const early: Job[] = [];
  const unsubscribes: (() => void)[] = [];
  const stop = () => {
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  };
  const deliver = (job: Job) => {
    if (ours === undefined) early.push(job);
    else if (ours.has(job.id)) onProgress(job);
  };
  for (const event of ['progress', 'jobDone', 'jobFailed'] as const) unsubscribes.push(depot.on(event, deliver));
  try {
    const jobs = await depot.install(items, installOptions);
    ours = new Set(jobs.map((job) => job.id));
    for (const job of early.splice(0)) deliver(job);
    const open = jobs.filter((job) => !TERMINAL_JOB_STATES.has(job.state)).map((job) => job.id);
    if (open.length === 0) stop();
    else void depot.settled(open).finally(stop);
    return jobs;
  } catch (error) {
    stop();
    throw error;
  }
}
