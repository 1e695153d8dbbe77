export interface ContentRange {
  /** First byte of the body; undefined for the 416 form `bytes *\/total`. */
  start?: number;
  end?: number;
  /** The whole file's size; undefined when the server sent `*`. */
  total?: number;
}

/** Parses `bytes 0-99/1000`, `bytes 0-99/*` and the 416 form `bytes *\/1000`; undefined when absent or malformed. */
export function parseContentRange(value: string | null): ContentRange | undefined {
  if (!value) return undefined;
  const match = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (!match) return undefined;
  const [, start, end, total] = match;
  return {
    start: start === undefined ? undefined : Number(start),
    end: end === undefined ? undefined : Number(end),
    total: total === '*' || total === undefined ? undefined : Number(total),
  };
}
