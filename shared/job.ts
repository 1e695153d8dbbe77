import { z } from 'zod';
import { zProvider } from './check-result';

/** A job's life: queued -> (waiting-for-token) -> downloading -> verifying -> complete, or linked/exists at once. */
export const zJobState = z.enum([
  'queued',
  'waiting-for-token',
  'linking',
  'downloading',
  'verifying',
  'complete',
  'linked',
  'exists',
  'failed',
  'cancelled',
]);
export type JobState = z.infer<typeof zJobState>;

export const zJob = z.object({
  id: z.string(),
  category: z.string(),
  filename: z.string(),
  /** Relative to the models root. */
  targetPath: z.string(),
  displayName: z.string().optional(),
  provider: zProvider.optional(),
  state: zJobState,
  bytes: z.number(),
  total: z.number().optional(),
  /** Bytes per second, smoothed. */
  speed: z.number(),
  /** Seconds left, when known. */
  eta: z.number().optional(),
  /** How the file was placed when linked: symlink, hardlink or copy. */
  linkKind: z.enum(['symlink', 'hardlink', 'copy']).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type Job = z.infer<typeof zJob>;

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'complete',
  'linked',
  'exists',
  'failed',
  'cancelled',
]);

/** The status words shown by the CLI and the terminal UI. */
export function jobStatusLabel(state: JobState): string {
  switch (state) {
    case 'queued':
    case 'waiting-for-token':
      return 'Pending';
    case 'exists':
      return 'Exists';
    case 'linking':
    case 'linked':
      return 'Linked';
    case 'downloading':
    case 'verifying':
      return 'Downloading';
    case 'complete':
      return 'Complete';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}
