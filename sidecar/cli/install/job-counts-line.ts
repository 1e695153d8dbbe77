import { TERMINAL_JOB_STATES, jobStatusLabel, type Job } from '../../../shared/job';

/** How many jobs ended in each state, such as `2 Complete, 1 Failed`; `No jobs.` when none has ended. */
export function jobCountsLine(jobs: readonly Job[]): string {
  const counts = new Map<string, number>();
  for (const job of jobs) {
    if (!TERMINAL_JOB_STATES.has(job.state)) continue;
    const label = jobStatusLabel(job.state);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => `${n} ${label}`).join(', ') || 'No jobs.';
}
