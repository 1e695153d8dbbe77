import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContentRange } from '../../../sidecar/remote/parse-content-range';
import { partialPaths, readResumeState, writeResumeState } from '../../../sidecar/remote/partial/resume-state';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('resume state', () => {
  it('keys a partial by SHA-256 when known, else by the URL without credentials', () => {
    const sha = 'A'.repeat(64);
    expect(partialPaths({ tmpDir: '/t', url: 'https://x/y', expectedSha256: sha }).part).toBe(
      `/t/${'a'.repeat(64)}.part`,
    );
    const withToken = partialPaths({ tmpDir: '/t', url: 'https://civitai.com/api/download/models/1?token=abc' });
    const without = partialPaths({ tmpDir: '/t', url: 'https://civitai.com/api/download/models/1' });
    expect(withToken).toEqual(without);
    expect(withToken.state).toBe(`${withToken.part}.json`);
  });

  it('round-trips, and reads a missing or corrupt state as null', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-resume-'));
    dirs.push(dir);
    const file = path.join(dir, 'x.part.json');
    expect(await readResumeState(file)).toBeNull();
    const state = {
      version: 1 as const,
      url: 'https://huggingface.co/a/b/resolve/main/f',
      bytes: 10,
      etag: '"e"',
      updatedAt: 'now',
    };
    await writeResumeState(file, state);
    expect(await readResumeState(file)).toEqual(state);
    expect(await readFile(file, 'utf8')).not.toContain('token');
    await writeFile(file, '{"version":1,');
    expect(await readResumeState(file)).toBeNull();
  });
});

describe('parseContentRange', () => {
  it('reads the 206 and 416 forms', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes */1000')).toEqual({ start: undefined, end: undefined, total: 1000 });
    expect(parseContentRange('bytes 0-9/*')?.total).toBeUndefined();
    expect(parseContentRange('garbage')).toBeUndefined();
  });
});
