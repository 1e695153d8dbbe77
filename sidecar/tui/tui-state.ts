import type { CheckItem, CheckResult, Provider } from '../../shared/check-result';
import type { Job } from '../../shared/job';

/**
 * How a row is shown when the list is not a workflow's (WanGP's models): by default the Config column shows the
 * requirement's folder and the Destination its folder under the models root.
 */
export interface TuiRowLabel {
  /** The Config column: the model the file belongs to. */
  config: string;
  /** The Destination column, such as `ckpts/`. */
  destination: string;
  /** The first detail line under the table while the row is current. */
  detail: string;
  /** Rows of one group are selected together: the files of one model. */
  group: string;
}

/** One line of the table: a requirement from the check, the job that acts on it, and the checkbox. */
export interface TuiRow {
  key: string;
  item: CheckItem;
  selected: boolean;
  job?: Job;
  label?: TuiRowLabel;
}

export interface TokenRequest {
  provider: Provider;
  filenames: string[];
  reason: 'missing' | 'denied';
  accessUrl?: string;
  tokenUrl: string;
}

export interface TuiState {
  rows: TuiRow[];
  /** Index into the visible rows. */
  cursor: number;
  missingOnly: boolean;
  paletteIndex: number;
  /** A check is running (the first one, or after `r`): the UI says so until its answer is in. */
  checking: boolean;
  tokenRequest?: TokenRequest;
  /** A one-line notice at the bottom (cache reset, nothing selected...). */
  notice?: string;
}

export type TuiAction =
  | { type: 'move'; delta: number }
  | { type: 'moveTo'; index: number }
  | { type: 'toggle' }
  | { type: 'selectAllVisible' }
  | { type: 'unselectAll' }
  | { type: 'toggleMissingOnly' }
  | { type: 'nextPalette'; paletteCount: number }
  | { type: 'checked'; result: CheckResult; labels?: ReadonlyMap<string, TuiRowLabel> }
  | { type: 'job'; job: Job }
  | { type: 'checking'; active: boolean }
  | { type: 'tokenRequest'; request: TokenRequest | undefined }
  | { type: 'notice'; text: string | undefined };

export function initialTuiState(): TuiState {
  return { rows: [], cursor: 0, missingOnly: false, paletteIndex: 0, checking: false };
}

/** A row counts as "there" once its file is in place: it is hidden by the missing-only view. */
export function isInPlace(row: TuiRow): boolean {
  if (row.job) return row.job.state === 'exists' || row.job.state === 'linked' || row.job.state === 'complete';
  return row.item.status === 'present';
}

export function visibleRows(state: TuiState): TuiRow[] {
  return state.missingOnly ? state.rows.filter((row) => !isInPlace(row)) : state.rows;
}

function clampCursor(state: TuiState): TuiState {
  const count = visibleRows(state).length;
  const cursor = count === 0 ? 0 : Math.min(Math.max(state.cursor, 0), count - 1);
  return cursor === state.cursor ? state : { ...state, cursor };
}

function mapVisible(state: TuiState, fn: (row: TuiRow, visibleIndex: number) => TuiRow): TuiRow[] {
  const visible = new Set(visibleRows(state).map((row) => row.key));
  let index = -1;
  return state.rows.map((row) => (visible.has(row.key) ? fn(row, ++index) : row));
}

export function tuiReducer(state: TuiState, action: TuiAction): TuiState {
  switch (action.type) {
    case 'move':
      return clampCursor({ ...state, cursor: state.cursor + action.delta });
    case 'moveTo':
      return clampCursor({ ...state, cursor: action.index });
    case 'toggle': {
      const current = visibleRows(state)[state.cursor];
      if (current === undefined) return state;
      const group = current.label?.group;
      const inToggle = (row: TuiRow) => row.key === current.key || (group !== undefined && row.label?.group === group);
      return {
        ...state,
        rows: mapVisible(state, (row) => (inToggle(row) ? { ...row, selected: !current.selected } : row)),
      };
    }
    case 'selectAllVisible':
      return { ...state, rows: mapVisible(state, (row) => ({ ...row, selected: true })) };
    case 'unselectAll':
      return { ...state, rows: state.rows.map((row) => ({ ...row, selected: false })) };
    case 'toggleMissingOnly':
      return clampCursor({ ...state, missingOnly: !state.missingOnly });
    case 'nextPalette':
      return { ...state, paletteIndex: (state.paletteIndex + 1) % action.paletteCount };
    case 'checked': {
      const previous = new Map(state.rows.map((row) => [row.key, row]));
      const rows = action.result.items.map((item) => {
        const old = previous.get(item.targetPath);
        const label = action.labels?.get(item.targetPath);
        return {
          key: item.targetPath,
          item,
          selected: old?.selected ?? false,
          job: old?.job,
          ...(label === undefined ? {} : { label }),
        };
      });
      return clampCursor({ ...state, rows, checking: false });
    }
    case 'job':
      return {
        ...state,
        rows: state.rows.map((row) => (row.key === action.job.targetPath ? { ...row, job: action.job } : row)),
      };
    case 'checking':
      return { ...state, checking: action.active };
    case 'tokenRequest':
      return { ...state, tokenRequest: action.request };
    case 'notice':
      return { ...state, notice: action.text };
  }
}
