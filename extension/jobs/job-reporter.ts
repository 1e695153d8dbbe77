import type { Job } from '../../shared/job';
import { type BatchOutcome, createJobBatches } from './job-batches';
import type { Toast } from '../dialogs/toasts';

export interface JobReporterOptions {
  toast: Toast;
  /** Called once per Download whose jobs produced at least one usable file, with those jobs (refreshes ComfyUI). */
  onFilesReady(jobs: Job[]): void;
}

export interface JobReporter {
  /** The jobs one Download started. */
  started(jobs: Job[]): void;
  /** A job's new state, from any sidecar message; `failed` when it came as `jobFailed`. */
  updated(job: Job, failed: boolean): void;
}

/**
 * The toasts of downloads: one per failed job with its reason, and one per Download click once all its jobs ended
 * (all ready, or how many failed).
 */
export function createJobReporter(options: JobReporterOptions): JobReporter {
  const { toast } = options;
  const batches = createJobBatches();

  const finish = () => {
    for (const outcome of batches.takeFinished()) report(outcome);
  };

  const report = (outcome: BatchOutcome) => {
    const count = outcome.jobs.length;
    if (outcome.failed.length === 0) {
      toast({
        severity: 'success',
        summary: `Model Depot: ${count} model${count === 1 ? '' : 's'} ready`,
        detail: 'Downloaded, verified and linked. The workflow can run now.',
        life: 8000,
      });
    } else {
      toast({
        severity: 'warn',
        summary: `Model Depot: ${outcome.ok.length} of ${count} models ready, ${outcome.failed.length} failed`,
        detail: outcome.failed.map((job) => `${job.filename}: ${job.error?.message ?? job.state}`).join('\n'),
      });
    }
    if (outcome.ok.length > 0) options.onFilesReady(outcome.ok);
  };

  return {
    started(jobs) {
      batches.add(jobs);
      finish();
    },
    updated(job, failed) {
      batches.record(job);
      if (failed && batches.tracks(job.id)) {
        toast({
          severity: 'error',
          summary: `${job.displayName ?? job.filename}: ${job.state === 'cancelled' ? 'cancelled' : 'download failed'}`,
          detail: job.error?.message ?? 'No reason was given.',
        });
      }
      finish();
    },
  };
}
