import { describe, expect, it } from 'vitest';
import { locateJsonError } from '../../sidecar/config/locate-json-error';

describe('locateJsonError', () => {
  it('returns undefined for valid JSON', () => {
    for (const text of ['{}', '[]', '{"a":[1,{"b":null}],"c":-1.5e3,"d":"\\"q"}', ' 3 ']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(locateJsonError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a":1,}', 1, 8, 'a double-quoted string'],
    ['{\n "a": 1\n "b": 2}', 3, 2, 'a comma or a closing }'],
    ['{"a": tru}', 1, 7, 'a value (a string, number, true, false, null, [ or {)'],
    ['[1,2', 1, 5, 'a comma or a closing ]'],
    ['{"a":"x\n"}', 1, 8, 'the closing " of the string'],
    ['{"a":1} x', 1, 9, 'the end of the file'],
    ["{'a': 1}", 1, 2, 'a double-quoted string'],
  ])('locates the error in %j at line %i, column %i', (text, line, column, expected) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(locateJsonError(text)).toEqual({ line, column, expected });
  });
});
