import type { IncomingHttpHeaders } from 'node:http';

/** The headers of an answer as the hub clients read them: `get(name)`, case-insensitive, repeated values joined. */
export interface HeaderGetter {
  get(name: string): string | null;
}

/** undici hands heads over with lower-case names; a repeated header arrives as an array. */
export function headerGetter(headers: IncomingHttpHeaders): HeaderGetter {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
