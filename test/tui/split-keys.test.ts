import { describe, expect, it } from 'vitest';
import { splitKeys } from '../../sidecar/tui/split-keys';

const ESC = '\u001b';
const UP = `${ESC}[A`;
const DOWN = `${ESC}[B`;

describe('splitKeys', () => {
  it('splits fast typing or a paste into one key per character', () => {
    expect(splitKeys('jjd')).toEqual(['j', 'j', 'd']);
    expect(splitKeys('hf_abc\r')).toEqual(['h', 'f', '_', 'a', 'b', 'c', '\r']);
    expect(splitKeys('d')).toEqual(['d']);
    expect(splitKeys('')).toEqual([]);
  });

  it('keeps arrows, Page Up/Down and SS3 arrows whole', () => {
    expect(splitKeys(`${DOWN}${DOWN}d`)).toEqual([DOWN, DOWN, 'd']);
    expect(splitKeys(`${ESC}[5~${ESC}[6~`)).toEqual([`${ESC}[5~`, `${ESC}[6~`]);
    expect(splitKeys(`${ESC}OA${ESC}OB`)).toEqual([`${ESC}OA`, `${ESC}OB`]);
    expect(splitKeys(`${ESC}[1;5A${ESC}[[A${ESC}[[5~`)).toEqual([`${ESC}[1;5A`, `${ESC}[[A`, `${ESC}[[5~`]);
  });

  it('keeps SGR and X10 mouse reports whole', () => {
    const press = `${ESC}[<0;20;5M`;
    const release = `${ESC}[<0;20;5m`;
    expect(splitKeys(`${press}${release}j`)).toEqual([press, release, 'j']);
    expect(splitKeys(`${ESC}[M #!${UP}`)).toEqual([`${ESC}[M #!`, UP]);
  });

  it('tells a lone Escape, two Escapes, meta + key and meta + arrow apart', () => {
    expect(splitKeys(ESC)).toEqual([ESC]);
    expect(splitKeys(`${ESC}${ESC}`)).toEqual([ESC, ESC]);
    expect(splitKeys(`${ESC}jk`)).toEqual([`${ESC}j`, 'k']);
    expect(splitKeys(`${ESC}${UP}x`)).toEqual([`${ESC}${UP}`, 'x']);
  });

  it('keeps characters outside the BMP whole and control keys apart', () => {
    expect(splitKeys('a😀\u007f\u0003')).toEqual(['a', '😀', '\u007f', '\u0003']);
  });

  it('leaves an unfinished sequence at the end of a chunk as one piece', () => {
    expect(splitKeys(`j${ESC}[<0;2`)).toEqual(['j', `${ESC}[<0;2`]);
  });
});
