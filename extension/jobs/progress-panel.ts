import type { Job, JobState } from '../../shared/job';
import { TERMINAL_JOB_STATES } from '../../shared/job';
import { formatBytes } from '../../shared/format-bytes';
import { formatDuration } from '../../shared/format-duration';
import { createElement } from '../create-element';
import { injectStyles } from '../styles';

export interface ProgressPanelOptions {
  doc: Document;
  /** The Cancel button of a running job; absent: no Cancel buttons. */
  onCancel?(jobId: string): void;
}

export interface ProgressPanel {
  /** The panel's root; `mount` moves it into a container (ComfyUI calls a tab's render each time it opens). */
  element: HTMLElement;
  mount(container: HTMLElement): void;
  /** Shows a job's latest state (adds its row the first time). */
  update(job: Job): void;
  /** Shows these jobs (the `hello` snapshot), keeping rows of other jobs already shown. */
  setJobs(jobs: Job[]): void;
  /**
   * Shows these jobs (an `authRequired`'s `jobIds`) as waiting for a token. The sidecar throttles `progress` per job,
   * so its `waiting-for-token` may come up to 250 ms after the `authRequired` that opens the dialog; until then the
   * row would still say "Queued". Jobs not shown yet, or already ended, are left as they are.
   */
  showWaitingForToken(jobIds: readonly string[]): void;
}

const STATE_TEXT: Record<JobState, string> = {
  queued: 'Queued',
  'waiting-for-token': 'Waiting for token',
  linking: 'Linking',
  downloading: 'Downloading',
  verifying: 'Verifying',
  complete: 'Complete',
  linked: 'Linked',
  exists: 'Already there',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

interface JobRow {
  root: HTMLElement;
  state: HTMLElement;
  fill: HTMLElement;
  bar: HTMLElement;
  stats: HTMLElement;
  error: HTMLElement;
  cancel: HTMLButtonElement | null;
}

/** The downloads panel: per model a bar, bytes, speed, ETA and state; failed jobs show their reason. */
export function createProgressPanel(options: ProgressPanelOptions): ProgressPanel {
  const { doc } = options;
  injectStyles(doc);
  const rows = new Map<string, JobRow>();
  const empty = createElement(doc, 'p', { className: 'md-panel-empty', text: 'No model downloads yet.' });
  const summary = createElement(doc, 'p', { className: 'md-panel-summary', attrs: { 'aria-live': 'polite' } });
  summary.hidden = true;
  const list = createElement(doc, 'div', { className: 'md-jobs', attrs: { role: 'list' } });
  const element = createElement(doc, 'div', { className: 'md-root md-panel md-progress-panel' }, [
    empty,
    summary,
    list,
  ]);
  const jobs = new Map<string, Job>();

  const summarize = () => {
    const states = [...jobs.values()].map((job) => job.state);
    const count = (wanted: readonly JobState[]) => states.filter((state) => wanted.includes(state)).length;
    const parts = [
      [count(['downloading', 'verifying', 'linking']), 'running'],
      [count(['queued']), 'queued'],
      [count(['waiting-for-token']), 'waiting for a token'],
      [count(['complete', 'linked', 'exists']), 'done'],
      [count(['failed', 'cancelled']), 'failed'],
    ] as const;
    summary.textContent = parts
      .filter(([n]) => n > 0)
      .map(([n, label]) => `${n} ${label}`)
      .join(' · ');
    summary.hidden = jobs.size === 0;
  };

  const rowFor = (job: Job): JobRow => {
    const existing = rows.get(job.id);
    if (existing) return existing;
    const fill = createElement(doc, 'div', { className: 'md-bar-fill' });
    const bar = createElement(
      doc,
      'div',
      {
        className: 'md-bar',
        attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': job.filename },
      },
      [fill],
    );
    const state = createElement(doc, 'span', { className: 'md-job-state' });
    const stats = createElement(doc, 'span', { className: 'md-job-stats' });
    const error = createElement(doc, 'span', { className: 'md-job-error', attrs: { role: 'status' } });
    error.hidden = true;
    const cancel = options.onCancel
      ? createElement(doc, 'button', {
          className: 'md-button md-job-cancel',
          text: 'Cancel',
          attrs: { type: 'button' },
        })
      : null;
    const onCancel = options.onCancel;
    if (cancel && onCancel) cancel.addEventListener('click', () => onCancel(job.id));
    const root = createElement(
      doc,
      'div',
      { className: 'md-job', attrs: { role: 'listitem', 'data-job-id': job.id } },
      [
        createElement(doc, 'span', {
          className: 'md-job-name',
          text: job.displayName ?? job.filename,
          attrs: { title: job.targetPath },
        }),
        bar,
        createElement(doc, 'span', { className: 'md-job-side' }, [state, cancel]),
        stats,
        error,
      ],
    );
    const row: JobRow = { root, state, fill, bar, stats, error, cancel };
    rows.set(job.id, row);
    list.append(root);
    empty.hidden = true;
    return row;
  };

  const update = (job: Job) => {
    jobs.set(job.id, job);
    summarize();
    const row = rowFor(job);
    row.root.dataset.state = job.state;
    row.state.textContent = STATE_TEXT[job.state];
    const percent = percentOf(job);
    row.fill.style.width = `${percent}%`;
    row.bar.setAttribute('aria-valuenow', String(Math.round(percent)));
    row.stats.textContent = statsText(job);
    row.error.hidden = !job.error;
    row.error.textContent = job.error ? job.error.message : '';
    if (row.cancel) row.cancel.hidden = TERMINAL_JOB_STATES.has(job.state);
  };

  return {
    element,
    mount(container) {
      container.append(element);
    },
    update,
    setJobs(snapshot) {
      for (const job of snapshot) update(job);
    },
    showWaitingForToken(jobIds) {
      for (const id of jobIds) {
        const job = jobs.get(id);
        if (job && !TERMINAL_JOB_STATES.has(job.state))
          update({ ...job, state: 'waiting-for-token', speed: 0, eta: undefined });
      }
    },
  };
}

function percentOf(job: Job): number {
  if (job.state === 'complete' || job.state === 'linked' || job.state === 'exists') return 100;
  if (!job.total || job.total <= 0) return 0;
  return Math.min(100, (job.bytes / job.total) * 100);
}

function statsText(job: Job): string {
  switch (job.state) {
    case 'linked':
      return job.linkKind ? `Linked (${job.linkKind}), nothing downloaded` : 'Linked, nothing downloaded';
    case 'exists':
      return 'Already on disk';
    case 'complete':
      return `${formatBytes(job.total ?? job.bytes)} downloaded and verified`;
    case 'waiting-for-token':
      return 'Waiting for a token';
    case 'queued':
      return job.total ? `${formatBytes(job.total)} queued` : 'Queued';
    default: {
      const bytes = job.total ? `${formatBytes(job.bytes)} / ${formatBytes(job.total)}` : formatBytes(job.bytes);
      // No speed yet (the first bytes are on their way): an ETA of "--" says nothing useful.
      if (job.state !== 'downloading' || job.speed <= 0) return bytes;
      return `${bytes} · ${formatBytes(job.speed)}/s · ${formatDuration(job.eta)} left`;
    }
  }
}
