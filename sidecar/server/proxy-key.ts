import path from 'node:path';
import { writeFileAtomic } from '../disk/write-file-atomic';
import { removeIfHolding } from './remove-if-holding';

/** The header in which ComfyUI's model-depot custom node sends the key (Node lower-cases incoming header names). */
export const PROXY_KEY_HEADER = 'x-model-depot-key';

/** The path prefix ComfyUI's custom node forwards, kept as it is on the way to the sidecar. */
export const PROXY_PREFIX = '/model-depot';

export interface WriteProxyKeyOptions {
  /** Where the key goes, e.g. `<models root>/.registry/sidecar-key`; its folder is created when missing. */
  file: string;
}

export interface ProxyKey {
  /** The file holding the key. */
  readonly file: string;
  /** Whether a header value is the key (compared in constant time). */
  matches(value: string | string[] | undefined): boolean;
  /** Deletes the file if it still holds this key (a newer sidecar's key is left alone). */
  remove(): Promise<void>;
}

/**
 * Writes a fresh random key into a file only the local user can read (mode 0600). ComfyUI's custom node runs as that
 * user, reads the file and sends the key with every request it forwards: a request bearing it comes from a process
 * that can read the user's files, so the sidecar serves it whatever Origin and Host the browser put on it. A web page
 * cannot read the file, so it cannot forge a forwarded request. The key is never logged, sent or put in an error.
 */
export async function writeProxyKey(options: WriteProxyKeyOptions): Promise<ProxyKey> {
  const file = path.resolve(options.file);
  // Loaded here, not with the module: the CLI reads PROXY_KEY_HEADER from it and starts without node:crypto.
  const { createHash, randomBytes, timingSafeEqual } = await import('node:crypto');
  const key = randomBytes(32).toString('base64url');
  // Renamed into place, so the custom node never reads half a key; created 0600, so the key is never readable by
  // others, not even for a moment.
  await writeFileAtomic(file, `${key}\n`, { flush: true, mode: 0o600 });
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  const expected = digest(key);
  return {
    file,
    matches(value) {
      if (typeof value !== 'string' || value === '') return false;
      return timingSafeEqual(digest(value.trim()), expected);
    },
    remove: () => removeIfHolding(file, (held) => held.trim() === key),
  };
}
