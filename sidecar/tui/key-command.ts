import type { TuiAction } from './tui-state';

/** What a key press asks for: a change of the UI's state, or one of the actions that reach the depot or the app. */
export type KeyCommand =
  | { kind: 'state'; actions: TuiAction[] }
  | { kind: 'download' }
  | { kind: 'resetCache' }
  | { kind: 'quit' }
  | { kind: 'none' };

/** The parts of ink's key object that the table reacts to. */
export interface KeyFlags {
  escape?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
}

export interface KeyContext {
  /** First row shown and rows that fit, for mouse rows and page moves. */
  top: number;
  tableHeight: number;
  paletteCount: number;
}

// SGR mouse reports: ESC [ < button ; x ; y M (press) or m (release); ink hands them over without the ESC.
const MOUSE_EVENT = /\[<(\d+);(\d+);(\d+)([Mm])/g;
/** Screen line (1-based) of the first table row: below the title and the header. */
const FIRST_ROW_LINE = 3;

const state = (...actions: TuiAction[]): KeyCommand => ({ kind: 'state', actions });

/**
 * The terminal UI's keys: arrows move, Enter toggles, a click only moves, d a u s r p. Escape quits at once, whatever
 * runs: a check in flight is dropped, and downloads stop with their partial files kept for the next run to resume.
 */
export function keyCommand(input: string, key: KeyFlags, context: KeyContext): KeyCommand {
  const clicks = [...input.matchAll(MOUSE_EVENT)];
  if (clicks.length > 0) {
    return state(
      ...clicks.flatMap(([, button, , y, kind]): TuiAction[] => {
        if (kind === 'M' && button === '0')
          return [{ type: 'moveTo', index: context.top + Number(y) - FIRST_ROW_LINE }];
        if (button === '64') return [{ type: 'move', delta: -1 }];
        if (button === '65') return [{ type: 'move', delta: 1 }];
        return [];
      }),
    );
  }
  if (key.escape) return { kind: 'quit' };
  if (key.upArrow) return state({ type: 'move', delta: -1 });
  if (key.downArrow) return state({ type: 'move', delta: 1 });
  if (key.pageUp) return state({ type: 'move', delta: -context.tableHeight });
  if (key.pageDown) return state({ type: 'move', delta: context.tableHeight });
  if (key.return) return state({ type: 'toggle' });
  switch (input) {
    case 'a':
      return state({ type: 'selectAllVisible' });
    case 'u':
      return state({ type: 'unselectAll' });
    case 's':
      return state({ type: 'toggleMissingOnly' });
    case 'p':
      return state({ type: 'nextPalette', paletteCount: context.paletteCount });
    case 'd':
      return { kind: 'download' };
    case 'r':
      return { kind: 'resetCache' };
    default:
      return { kind: 'none' };
  }
}
