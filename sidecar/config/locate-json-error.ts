/** Where a JSON text first goes wrong, 1-based, and what was expected there. */
export interface JsonErrorLocation {
  line: number;
  column: number;
  expected: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

/**
 * Finds the first syntax error of a JSON text. V8's own messages differ between versions and often give no
 * position, and a person fixing a config file needs the line. Returns undefined when the text is valid JSON.
 */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const expect = (char: string, what: string) => {
    skipSpace();
    if (text[i] !== char) throw new Stop(i, what);
    i++;
  };
  const string = () => {
    expect('"', 'a double-quoted string');
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') throw new Stop(i, 'the closing " of the string');
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) throw new Stop(i, 'the closing " of the string');
    i++;
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') return void i++;
      for (;;) {
        string();
        expect(':', 'a colon after the key');
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}', 'a comma or a closing }');
        return;
      }
    }
    if (char === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']', 'a comma or a closing ]');
        return;
      }
    }
    if (char === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!literal) throw new Stop(i, 'a value (a string, number, true, false, null, [ or {)');
    i += literal[0].length;
  };

  try {
    value();
    skipSpace();
    if (i < text.length) throw new Stop(i, 'the end of the file');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.offset);
    return {
      line: before.split('\n').length,
      column: error.offset - before.lastIndexOf('\n'),
      expected: error.expected,
    };
  }
}
