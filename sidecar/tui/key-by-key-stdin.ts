import { splitKeys } from './split-keys';

/** The one method of a readable stream that ink reads input through (`while ((chunk = stdin.read()) !== null)`). */
interface ReadableInput {
  read(size?: number): unknown;
}

/**
 * The same stream, read one key at a time. Ink 5 hands every chunk that `read()` returns to `useInput` as one key, so a
 * paste or fast typing ("jjd", or two arrows in one chunk) counted as one unknown key. Here `read()` splits a chunk
 * into keys (`splitKeys`) and returns them one by one, so every `useInput` of the app, and ink's own Ctrl+C check,
 * see each key. Everything else (raw mode, listeners, isTTY) is the stream itself.
 */
export function keyByKeyStdin<T extends ReadableInput>(stdin: T): T {
  const pending: string[] = [];
  const read = (size?: number): unknown => {
    const queued = pending.shift();
    if (queued !== undefined) return queued;
    const chunk = stdin.read(size);
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text === undefined || text.length === 0) return chunk;
    pending.push(...splitKeys(text));
    return pending.shift() ?? null;
  };
  return new Proxy(stdin, {
    get(target, property) {
      if (property === 'read') return read;
      const value: unknown = Reflect.get(target, property, target);
      // Node's streams keep their state on `this`: their methods run on the stream, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
