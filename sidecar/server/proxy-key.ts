import { hasErrorCode } from '../../shared/errors';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

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
  const key = randomBytes(32).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true });
  // Written beside the file and renamed over it, so the custom node never reads half a key; opened 0600 from the
  // start so the key is never readable by others, not even for a moment.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${key}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  const expected = digest(key);
  return {
    file,
    matches(value) {
      if (typeof value !== 'string' || value === '') return false;
      return timingSafeEqual(digest(value.trim()), expected);
    },
    async remove() {
      let held: string;
      try {
        held = await readFile(file, 'utf8');
      } catch (error) {
        if (hasErrorCode(error, 'ENOENT')) return;
        throw error;
      }
      if (held.trim() === key) await rm(file, { force: true });
    },
  };
}
