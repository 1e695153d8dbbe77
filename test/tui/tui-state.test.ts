import { describe, expect, it } from 'vitest';
import type { CheckItem, CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import { initialTuiState, tuiReducer, visibleRows, type TuiRow, type TuiState } from '../../sidecar/tui/tui-state';
import { rowStatus } from '../../sidecar/tui/row-status';
import { fitText } from '../../sidecar/tui/fit-text';
import { tableColumns } from '../../sidecar/tui/table-columns';

function item(filename: string, status: CheckItem['status']): CheckItem {
  return {
    requirement: { category: 'checkpoints', filename, urls: [], required: true, origin: 'dependencies' },
    status,
    targetPath: `checkpoints/${filename}`,
    size: 2_000_000_000,
    needsToken: false,
  };
}

function checkResult(...items: CheckItem[]): CheckResult {
  return {
    items,
    invalid: [],
    summary: {
      total: items.length,
      present: 0,
      linkable: 0,
      missing: 0,
      conflict: 0,
      unavailable: 0,
      bytesToDownload: 0,
      bytesSavedByLinking: 0,
      freeBytes: 0,
      fits: true,
      needsToken: false,
    },
  };
}

function checked(...items: CheckItem[]): TuiState {
  return tuiReducer(initialTuiState(), { type: 'checked', result: checkResult(...items) });
}

/** The row at `index`; a test that expects more rows than it built stops here. */
function rowAt(state: TuiState, index: number): TuiRow {
  const row = state.rows[index];
  if (row === undefined) throw new Error(`no row ${index}: the state has ${state.rows.length}`);
  return row;
}

function job(targetPath: string, state: Job['state'], extra: Partial<Job> = {}): Job {
  return {
    id: targetPath,
    category: 'checkpoints',
    filename: targetPath,
    targetPath,
    state,
    bytes: 0,
    speed: 0,
    ...extra,
  };
}

describe('tuiReducer', () => {
  it('toggles only the row under the cursor with Enter', () => {
    let state = checked(item('a.safetensors', 'missing'), item('b.safetensors', 'missing'));
    state = tuiReducer(state, { type: 'move', delta: 1 });
    state = tuiReducer(state, { type: 'toggle' });
    expect(state.rows.map((row) => row.selected)).toEqual([false, true]);
  });

  it('keeps the cursor inside the visible rows', () => {
    let state = checked(item('a.safetensors', 'missing'));
    state = tuiReducer(state, { type: 'move', delta: 5 });
    expect(state.cursor).toBe(0);
    state = tuiReducer(state, { type: 'move', delta: -5 });
    expect(state.cursor).toBe(0);
  });

  it('hides present and finished models in the missing-only view, and selects only visible rows with a', () => {
    let state = checked(
      item('here.safetensors', 'present'),
      item('gone.safetensors', 'missing'),
      item('l.safetensors', 'linkable'),
    );
    state = tuiReducer(state, { type: 'job', job: job('checkpoints/l.safetensors', 'linked') });
    state = tuiReducer(state, { type: 'toggleMissingOnly' });
    expect(visibleRows(state).map((row) => row.item.requirement.filename)).toEqual(['gone.safetensors']);
    state = tuiReducer(state, { type: 'selectAllVisible' });
    expect(state.rows.filter((row) => row.selected).map((row) => row.key)).toEqual(['checkpoints/gone.safetensors']);
    state = tuiReducer(state, { type: 'unselectAll' });
    expect(state.rows.some((row) => row.selected)).toBe(false);
  });

  it('keeps selections and jobs when the check runs again', () => {
    let state = checked(item('a.safetensors', 'missing'));
    state = tuiReducer(state, { type: 'toggle' });
    state = tuiReducer(state, { type: 'job', job: job('checkpoints/a.safetensors', 'downloading') });
    const again = tuiReducer(state, { type: 'checked', result: checkResult(item('a.safetensors', 'missing')) });
    expect(again.rows[0]?.selected).toBe(true);
    expect(again.rows[0]?.job?.state).toBe('downloading');
  });

  it('says a check is running from its start until its answer is in', () => {
    let state = initialTuiState();
    state = tuiReducer(state, { type: 'checking', active: true });
    expect(state.checking).toBe(true);
    state = tuiReducer(state, { type: 'checked', result: checkResult(item('a.safetensors', 'missing')) });
    expect(state.checking).toBe(false);
    expect(state.rows).toHaveLength(1);
  });
});

describe('rowStatus', () => {
  it('uses the status words, with a bar fraction, speed and ETA while downloading', () => {
    const row = rowAt(checked(item('a.safetensors', 'missing')), 0);
    expect(rowStatus(row).label).toBe('Pending');
    const downloading = rowStatus({
      ...row,
      job: job(row.key, 'downloading', { bytes: 500, total: 1000, speed: 2_000_000, eta: 75 }),
    });
    expect(downloading).toMatchObject({ label: 'Downloading', fraction: 0.5, detail: '2.0 MB/s ETA 1m 15s' });
    // No speed measured yet: no "0 B/s" and no ETA.
    const starting = rowStatus({
      ...row,
      job: job(row.key, 'downloading', { bytes: 64_000, total: 1_000_000, speed: 0 }),
    });
    expect(starting).toMatchObject({ label: 'Downloading', detail: 'starting' });
    const failed = rowStatus({
      ...row,
      job: job(row.key, 'failed', { error: { code: 'HASH_MISMATCH', message: 'bad bytes' } }),
    });
    expect(failed).toMatchObject({ label: 'Failed', detail: 'bad bytes' });
  });

  it('reports present as Exists and a conflict as Failed with its reason', () => {
    const state = checked(item('a.safetensors', 'present'), {
      ...item('b.safetensors', 'conflict'),
      reason: 'another file',
    });
    expect(state.rows.map((row) => rowStatus(row).label)).toEqual(['Exists', 'Failed']);
    expect(rowStatus(rowAt(state, 1)).detail).toBe('another file');
  });
});

describe('layout', () => {
  it('fits every column into 80 columns and cuts long names from the start', () => {
    const columns = tableColumns(80);
    expect(Object.values(columns).reduce((a, b) => a + b, 0) + 5).toBeLessThanOrEqual(80);
    expect(fitText('a-very-long-model-name_v1.safetensors', 12, 'end')).toBe('…safetensors');
    expect(fitText('sd_xl_base_1.0.safetensors', 21, 'middle')).toBe('sd_xl_base…afetensors');
    expect(fitText('line\nbreak', 12)).toBe('line?break  ');
  });
});
