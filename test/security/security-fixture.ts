import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the system temp dir, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** One place a secret was found: a file's content, a file's name, or a symlink's target. */
export interface SecretHit {
  where: string;
  secret: string;
}

/**
 * Every form a token could take when written: as is, percent-encoded, base64 (Basic auth, encoded blobs) and UTF-16
 * (a Windows-style dump). Tokens are plain ASCII here, so these cover the ways bytes of it could land in a file.
 */
export function secretForms(secret: string): Buffer[] {
  return [
    Buffer.from(secret, 'utf8'),
    Buffer.from(encodeURIComponent(secret), 'utf8'),
    Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, ''), 'utf8'),
    Buffer.from(secret, 'utf16le'),
  ];
}

/** Searches every entry under `root` (names, symlink targets, and the bytes of every file, binary included). */
export async function findSecretsUnder(
  root: string,
  secrets: readonly string[],
): Promise<{ hits: SecretHit[]; files: string[]; bytes: number }> {
  const hits: SecretHit[] = [];
  const files: string[] = [];
  let bytes = 0;
  const check = (where: string, data: Buffer): void => {
    for (const secret of secrets) {
      if (secretForms(secret).some((form) => data.includes(form)))
        hits.push({ where, secret: `${secret.slice(0, 4)}…` });
    }
  };
  async function walk(dir: string): Promise<void> {
    for (const name of await readdir(dir)) {
      const full = path.join(dir, name);
      check(`name of ${full}`, Buffer.from(name));
      const info = await lstat(full);
      if (info.isSymbolicLink()) check(`symlink ${full}`, Buffer.from(await readlink(full)));
      else if (info.isDirectory()) await walk(full);
      else if (info.isFile()) {
        const data = await readFile(full);
        files.push(full);
        bytes += data.length;
        check(full, data);
      }
    }
  }
  await walk(root);
  return { hits, files, bytes };
}

/** The `job` of a progress/jobDone/jobFailed message, read without casts. */
export function jobOf(message: Record<string, unknown>): {
  id?: string;
  state?: string;
  code?: string;
  message?: string;
} {
  const job: unknown = message.job;
  if (typeof job !== 'object' || job === null) return {};
  const id = 'id' in job && typeof job.id === 'string' ? job.id : undefined;
  const state = 'state' in job && typeof job.state === 'string' ? job.state : undefined;
  const error: unknown = 'error' in job ? job.error : undefined;
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const text =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : undefined;
  return { id, state, code, message: text };
}
