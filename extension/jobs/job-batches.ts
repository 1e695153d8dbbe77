import type { Job } from '../../shared/job';
import { TERMINAL_JOB_STATES } from '../../shared/job';

export interface BatchOutcome {
  jobs: Job[];
  ok: Job[];
  failed: Job[];
}

export interface JobBatches {
  /** Records a job's latest state (from any message). */
  record(job: Job): void;
  /** Starts tracking the jobs of one Download click. */
  add(jobs: Job[]): void;
  /** True when the job belongs to a batch still running. */
  tracks(jobId: string): boolean;
  /** The batches whose jobs have all ended, removed from tracking. */
  takeFinished(): BatchOutcome[];
}

/**
 * Tracks the jobs started by each Download click, so the extension can say "all done" once per click. Jobs that
 * end before the sidecar's `installStarted` reaches us (a link is instant) are counted by their latest state.
 */
export function createJobBatches(): JobBatches {
  const latest = new Map<string, Job>();
  let batches: string[][] = [];
  return {
    record(job) {
      latest.set(job.id, job);
    },
    add(jobs) {
      for (const job of jobs) if (!latest.has(job.id)) latest.set(job.id, job);
      batches.push(jobs.map((job) => job.id));
    },
    tracks: (jobId) => batches.some((ids) => ids.includes(jobId)),
    takeFinished() {
      const finished: BatchOutcome[] = [];
      batches = batches.filter((ids) => {
        const jobs = ids.map((id) => latest.get(id)).filter((job): job is Job => job !== undefined);
        if (!jobs.every((job) => TERMINAL_JOB_STATES.has(job.state))) return true;
        const failed = jobs.filter((job) => job.state === 'failed' || job.state === 'cancelled');
        finished.push({ jobs, failed, ok: jobs.filter((job) => !failed.includes(job)) });
        return false;
      });
      return finished;
    },
  };
}
