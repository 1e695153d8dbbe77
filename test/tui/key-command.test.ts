import { describe, expect, it } from 'vitest';
import { keyCommand, type KeyContext } from '../../sidecar/tui/key-command';

const context: KeyContext = { top: 4, tableHeight: 10, paletteCount: 3 };

describe('keyCommand', () => {
  it('maps the keys of the help line', () => {
    expect(keyCommand('', { return: true }, context)).toEqual({ kind: 'state', actions: [{ type: 'toggle' }] });
    expect(keyCommand('', { downArrow: true }, context)).toEqual({
      kind: 'state',
      actions: [{ type: 'move', delta: 1 }],
    });
    expect(keyCommand('', { pageUp: true }, context)).toEqual({
      kind: 'state',
      actions: [{ type: 'move', delta: -10 }],
    });
    expect(keyCommand('a', {}, context)).toEqual({ kind: 'state', actions: [{ type: 'selectAllVisible' }] });
    expect(keyCommand('u', {}, context)).toEqual({ kind: 'state', actions: [{ type: 'unselectAll' }] });
    expect(keyCommand('s', {}, context)).toEqual({ kind: 'state', actions: [{ type: 'toggleMissingOnly' }] });
    expect(keyCommand('p', {}, context)).toEqual({
      kind: 'state',
      actions: [{ type: 'nextPalette', paletteCount: 3 }],
    });
    expect(keyCommand('d', {}, context)).toEqual({ kind: 'download' });
    expect(keyCommand('r', {}, context)).toEqual({ kind: 'resetCache' });
    expect(keyCommand('x', {}, context)).toEqual({ kind: 'none' });
  });

  it('quits on Escape at once, whatever runs', () => {
    expect(keyCommand('', { escape: true }, context)).toEqual({ kind: 'quit' });
    // y and n are no answers to anything: there is no question before quitting.
    expect(keyCommand('y', {}, context)).toEqual({ kind: 'none' });
  });

  it('turns a click into a cursor move on the row under it, never a selection; the wheel scrolls', () => {
    expect(keyCommand('[<0;20;5M[<0;20;5m', {}, context)).toEqual({
      kind: 'state',
      actions: [{ type: 'moveTo', index: 6 }],
    });
    expect(keyCommand('[<64;1;1M', {}, context)).toEqual({ kind: 'state', actions: [{ type: 'move', delta: -1 }] });
    expect(keyCommand('[<65;1;1M', {}, context)).toEqual({ kind: 'state', actions: [{ type: 'move', delta: 1 }] });
  });
});
