const ESC = '\u001b';

/**
 * Splits one chunk of terminal input into keys. A paste or fast typing ("jjd", two arrows) reaches us as one chunk,
 * and ink 5 parses a chunk as one key: "jjd" matched no key at all. Escape sequences stay whole: CSI (arrows, Page
 * Up/Down, SGR mouse reports `ESC [ < b ; x ; y M`), SS3 (`ESC O A`), rxvt's `ESC [ [ A`, X10 mouse (`ESC [ M` and
 * three bytes), meta + key (`ESC j`, `ESC ESC [ A`). Characters outside the BMP stay whole too.
 */
export function splitKeys(chunk: string): string[] {
  const keys: string[] = [];
  let at = 0;
  while (at < chunk.length) {
    const length = chunk[at] === ESC ? escapeLength(chunk, at) : (chunk.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
    keys.push(chunk.slice(at, at + length));
    at += length;
  }
  return keys;
}

/** Length of the key starting with ESC at `start`: a lone Escape is 1; an unfinished sequence runs to the end. */
function escapeLength(chunk: string, start: number): number {
  const next = chunk[start + 1];
  if (next === undefined) return 1;
  if (next === ESC) {
    // Meta + a sequence (`ESC ESC [ A`) is one key; two Escape presses are two.
    const third = chunk[start + 2];
    return third === '[' || third === 'O' ? 1 + escapeLength(chunk, start + 1) : 1;
  }
  if (next === '[') return csiLength(chunk, start);
  // SS3 (`ESC O A`); at the end of the chunk `ESC O` is meta + O.
  if (next === 'O') return start + 2 < chunk.length ? 3 : 2;
  // Meta + one character (Alt+j); a surrogate pair stays whole.
  return 1 + ((chunk.codePointAt(start + 1) ?? 0) > 0xffff ? 2 : 1);
}

/** `ESC [` then parameter and intermediate bytes (0x20-0x3f) up to one final byte (0x40-0x7e). */
function csiLength(chunk: string, start: number): number {
  let at = start + 2;
  // rxvt/putty/libuv: `ESC [ [ A` (F1-F5) and `ESC [ [ 5 ~` (Page Up).
  if (chunk[at] === '[') at++;
  while (at < chunk.length) {
    const code = chunk.charCodeAt(at);
    if (code >= 0x40 && code <= 0x7e) {
      // X10 mouse: `ESC [ M` is followed by three raw bytes (button, column, row).
      if (chunk[at] === 'M' && at === start + 2) return Math.min(at + 4, chunk.length) - start;
      return at + 1 - start;
    }
    if (code < 0x20 || code > 0x3f) return at - start;
    at++;
  }
  return chunk.length - start;
}
