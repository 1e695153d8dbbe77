import { formatBytes } from '../../shared/format-bytes';
import { formatDuration } from '../../shared/format-duration';
import { jobStatusLabel } from '../../shared/job';
import type { TuiRow } from './tui-state';

export type StatusTone = 'pending' | 'done' | 'active' | 'failed';

export interface RowStatus {
  /** The Status column's word: Pending, Exists, Linked, Downloading, Complete, Failed. */
  label: string;
  tone: StatusTone;
  /** Fraction done, for a bar while downloading. */
  fraction?: number;
  /** Speed and ETA while downloading, the reason when failed, the source when linkable. */
  detail?: string;
}

/** The Status column of a row, from its job when one runs, else from the check. */
export function rowStatus(row: TuiRow): RowStatus {
  const { job, item } = row;
  if (job) {
    const label = jobStatusLabel(job.state);
    switch (job.state) {
      case 'downloading':
      case 'verifying': {
        const total = job.total ?? item.size;
        const fraction = total ? Math.min(job.bytes / total, 1) : undefined;
        // Speed 0 while downloading: not measured yet (the speed meter waits for a first window), not a stall.
        const detail =
          job.state === 'verifying'
            ? 'verifying'
            : job.speed > 0
              ? `${formatBytes(job.speed)}/s ETA ${formatDuration(job.eta)}`
              : 'starting';
        return { label, tone: 'active', fraction, detail };
      }
      case 'failed':
      case 'cancelled':
        return { label, tone: 'failed', detail: job.error?.message };
      case 'waiting-for-token':
        return { label, tone: 'pending', detail: 'needs a token' };
      case 'queued':
        return { label, tone: 'pending', detail: 'queued' };
      case 'linking':
        return { label, tone: 'active' };
      case 'linked':
        return { label, tone: 'done', detail: job.linkKind };
      case 'exists':
      case 'complete':
        return { label, tone: 'done' };
    }
  }
  switch (item.status) {
    case 'present':
      return { label: 'Exists', tone: 'done' };
    case 'linkable':
      return { label: 'Pending', tone: 'pending', detail: `link from ${item.source?.path ?? 'registry'}` };
    case 'missing':
      return { label: 'Pending', tone: 'pending', detail: item.needsToken ? 'download, needs a token' : 'download' };
    case 'conflict':
    case 'unavailable':
      return { label: 'Failed', tone: 'failed', detail: item.reason ?? item.status };
  }
}
