import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { zResumeState, type ResumeState } from './resume-state-schema';
import { readValidJsonFile } from '../../disk/read-valid-json-file';
import { writeFileAtomic } from '../../disk/write-file-atomic';
import { stripUrlCredentials } from '../../runtime/redact-url';

export interface PartialPaths {
  /** The bytes so far: `<tmpDir>/<key>.part`. */
  part: string;
  /** The resume state: `<tmpDir>/<key>.part.json`. */
  state: string;
}

/**
 * Where a download's partial file and resume state live. The key is the expected SHA-256 when known (one partial
 * per model, whatever URL or name asked for it), else a hash of the credential-free URL.
 */
export function partialPaths(options: { tmpDir: string; url: string; expectedSha256?: string }): PartialPaths {
  const sha256 = options.expectedSha256?.toLowerCase();
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError('partialPaths: not a SHA-256');
  const key = sha256
    ? sha256
    : `url-${createHash('sha256').update(stripUrlCredentials(options.url)).digest('hex').slice(0, 40)}`;
  const part = path.join(options.tmpDir, `${key}.part`);
  return { part, state: `${part}.json` };
}

/** The saved state, or null when there is none or it cannot be read (a partial without a valid state restarts). */
export async function readResumeState(file: string): Promise<ResumeState | null> {
  return (await readValidJsonFile(file, zResumeState)) ?? null;
}

/** Written to a temporary name and renamed, so a crash leaves the old state or the new one, never half of one. */
export async function writeResumeState(file: string, state: ResumeState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(zResumeState.parse(state)));
}

/** Removes the partial file and its state (after a mismatch, or when a cancel asks to discard). */
export async function removePartial(paths: PartialPaths): Promise<void> {
  await rm(paths.part, { force: true });
  await rm(paths.state, { force: true });
}
