import { type FileHandle, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DepotError, errorCodeOf } from '../../shared/errors';

export interface ReadHfTokenOptions {
  /** The depot's environment: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, HF_HOME, XDG_CACHE_HOME, HOME. */
  env: Readonly<Record<string, string | undefined>>;
}

/** A token file is a line of text; anything longer is not one (and /dev/zero must not be read forever). */
const MAX_TOKEN_FILE_BYTES = 4096;

/**
 * The HuggingFace token the way huggingface_hub finds it: HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the file that
 * `hf auth login` writes: HF_TOKEN_PATH, else `$HF_HOME/token`, HF_HOME defaulting to `$XDG_CACHE_HOME/huggingface`
 * and that to `~/.cache/huggingface`. Surrounding white space is dropped. Undefined when there is none (no variable,
 * no file). The token is returned to be used, never stored or logged; no message here quotes it.
 */
export async function readHfToken(options: ReadHfTokenOptions): Promise<string | undefined> {
  const { env } = options;
  const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  if (fromEnv !== undefined) return usable(fromEnv, env.HF_TOKEN?.trim() ? 'HF_TOKEN' : 'HUGGING_FACE_HUB_TOKEN');
  // os.homedir() would read the process's own HOME: the user database is asked instead.
  const home = nonEmpty(env.HOME) ?? os.userInfo().homedir;
  const hfHome =
    nonEmpty(env.HF_HOME) ?? path.join(nonEmpty(env.XDG_CACHE_HOME) ?? path.join(home, '.cache'), 'huggingface');
  const file = nonEmpty(env.HF_TOKEN_PATH) ?? path.join(hfHome, 'token');
  const text = await readSmallFile(expandHome(file, home));
  const token = text === undefined ? undefined : nonEmpty(text);
  return token === undefined ? undefined : usable(token, `the token file ${file}`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** `~/...` in a variable (a shell would have expanded it; a config file or a service definition does not). */
function expandHome(file: string, home: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}

/** The file's text, or undefined when it does not exist; never more than MAX_TOKEN_FILE_BYTES. */
async function readSmallFile(file: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw unreadable(file, code, error);
  }
  try {
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_TOKEN_FILE_BYTES) {
      throw new DepotError(
        'BAD_CONFIG',
        `${file} is larger than a token file can be (${MAX_TOKEN_FILE_BYTES} bytes); run \`hf auth login\` again, or set HF_TOKEN_PATH or HF_TOKEN.`,
      );
    }
    return buffer.toString('utf8', 0, bytesRead);
  } catch (error) {
    if (error instanceof DepotError) throw error;
    throw unreadable(file, errorCodeOf(error), error);
  } finally {
    await handle.close();
  }
}

function unreadable(file: string, code: string | undefined, cause: unknown): DepotError {
  return new DepotError(
    'BAD_CONFIG',
    `The HuggingFace token file ${file} cannot be read (${code ?? 'unreadable'}); fix its permissions, or set HF_TOKEN_PATH or HF_TOKEN.`,
    { cause },
  );
}

/** A token goes into an Authorization header: one line of visible ASCII. Its text is never put in the message. */
function usable(token: string, from: string): string {
  if (/^[\x21-\x7e]+$/.test(token)) return token;
  throw new DepotError(
    'BAD_CONFIG',
    `${from} does not hold a token (it has spaces, line breaks or other characters a token cannot have); ` +
      `copy the token again from https://huggingface.co/settings/tokens, or run \`hf auth login\`.`,
  );
}
