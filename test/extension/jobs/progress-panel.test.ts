// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { createProgressPanel } from '../../../extension/jobs/progress-panel';
import { sampleJob } from '../fixtures';

function mounted(onCancel = vi.fn()) {
  const container = document.createElement('div');
  const panel = createProgressPanel({ doc: document, onCancel });
  panel.mount(container);
  const row = (id: string) => container.querySelector<HTMLElement>(`[data-job-id="${id}"]`);
  return { panel, container, row, onCancel };
}

describe('createProgressPanel', () => {
  it('says so when there is nothing yet', () => {
    const { container } = mounted();
    expect(container.querySelector<HTMLElement>('.md-panel-empty')?.hidden).toBe(false);
    expect(container.textContent).toContain('No model downloads yet.');
  });

  it('shows per job a bar, bytes, speed, ETA and state', () => {
    const { panel, row, container } = mounted();
    panel.update(sampleJob());
    const r = row('job-1');
    expect(r?.querySelector('.md-job-name')?.textContent).toBe('flux1-dev.safetensors');
    expect(r?.querySelector('.md-job-state')?.textContent).toBe('Downloading');
    expect(r?.querySelector<HTMLElement>('.md-bar-fill')?.style.width).toBe('25%');
    expect(r?.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('25');
    expect(r?.querySelector('.md-job-stats')?.textContent).toBe('500 MB / 2.0 GB · 25.0 MB/s · 1m 0s left');
    expect(container.querySelector<HTMLElement>('.md-panel-empty')?.hidden).toBe(true);
  });

  it('updates the same row as the job moves on, down to complete', () => {
    const { panel, row, container } = mounted();
    panel.update(sampleJob());
    panel.update(sampleJob({ bytes: 1_500_000_000, eta: 20 }));
    expect(row('job-1')?.querySelector<HTMLElement>('.md-bar-fill')?.style.width).toBe('75%');
    panel.update(sampleJob({ state: 'complete', bytes: 2_000_000_000, eta: undefined }));
    expect(container.querySelectorAll('.md-job')).toHaveLength(1);
    expect(row('job-1')?.dataset.state).toBe('complete');
    expect(row('job-1')?.querySelector('.md-job-state')?.textContent).toBe('Complete');
    expect(row('job-1')?.querySelector('.md-job-stats')?.textContent).toBe('2.0 GB downloaded and verified');
    expect(row('job-1')?.querySelector<HTMLElement>('.md-job-cancel')?.hidden).toBe(true);
  });

  it('shows linked jobs and failed jobs with their reason', () => {
    const { panel, row } = mounted();
    panel.setJobs([
      sampleJob({ id: 'a', filename: 'sdxl.safetensors', state: 'linked', linkKind: 'symlink', bytes: 0, speed: 0 }),
      sampleJob({
        id: 'b',
        state: 'failed',
        error: {
          code: 'HASH_MISMATCH',
          message: 'flux1-dev.safetensors: SHA-256 differs; the download was discarded.',
        },
      }),
      sampleJob({ id: 'c', state: 'waiting-for-token', bytes: 0, speed: 0 }),
    ]);
    expect(row('a')?.querySelector('.md-job-stats')?.textContent).toBe('Linked (symlink), nothing downloaded');
    expect(row('a')?.querySelector<HTMLElement>('.md-bar-fill')?.style.width).toBe('100%');
    expect(row('b')?.querySelector('.md-job-state')?.textContent).toBe('Failed');
    expect(row('b')?.querySelector<HTMLElement>('.md-job-error')?.hidden).toBe(false);
    expect(row('b')?.querySelector('.md-job-error')?.textContent).toContain('SHA-256 differs');
    expect(row('c')?.querySelector('.md-job-state')?.textContent).toBe('Waiting for token');
  });

  it('sums up the jobs above the rows', () => {
    const { panel, container } = mounted();
    panel.setJobs([
      sampleJob({ id: 'a', state: 'linked' }),
      sampleJob({ id: 'b', state: 'downloading' }),
      sampleJob({ id: 'c', state: 'waiting-for-token' }),
      sampleJob({ id: 'd', state: 'failed', error: { code: 'NETWORK', message: 'connection reset' } }),
    ]);
    expect(container.querySelector('.md-panel-summary')?.textContent).toBe(
      '1 running · 1 waiting for a token · 1 done · 1 failed',
    );
    panel.update(sampleJob({ id: 'b', state: 'complete' }));
    expect(container.querySelector('.md-panel-summary')?.textContent).toBe('1 waiting for a token · 2 done · 1 failed');
  });

  it('shows the jobs of a token request as waiting for a token, leaving ended and unknown jobs alone', () => {
    const { panel, row, container } = mounted();
    panel.setJobs([
      sampleJob({ id: 'a', state: 'queued', bytes: 0, speed: 0, eta: undefined }),
      sampleJob({ id: 'b', state: 'downloading', speed: 25_000_000, eta: 60 }),
      sampleJob({ id: 'c', state: 'complete' }),
    ]);
    panel.showWaitingForToken(['a', 'b', 'c', 'unknown']);
    for (const id of ['a', 'b']) {
      expect(row(id)?.dataset.state).toBe('waiting-for-token');
      expect(row(id)?.querySelector('.md-job-state')?.textContent).toBe('Waiting for token');
      expect(row(id)?.querySelector('.md-job-stats')?.textContent).toBe('Waiting for a token');
    }
    expect(row('c')?.querySelector('.md-job-state')?.textContent).toBe('Complete');
    expect(row('unknown')).toBeNull();
    expect(container.querySelector('.md-panel-summary')?.textContent).toBe('2 waiting for a token · 1 done');
    // The sidecar's next progress wins again (the job resumed with the new token).
    panel.update(sampleJob({ id: 'a', state: 'downloading' }));
    expect(row('a')?.querySelector('.md-job-state')?.textContent).toBe('Downloading');
  });

  it('Cancel on a running job asks to cancel that job', () => {
    const { panel, row, onCancel } = mounted();
    panel.update(sampleJob({ id: 'x' }));
    row('x')?.querySelector<HTMLButtonElement>('.md-job-cancel')?.click();
    expect(onCancel).toHaveBeenCalledWith('x');
  });
});
