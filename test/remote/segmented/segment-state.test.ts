import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readResumeState, writeResumeState } from '../../../sidecar/remote/partial/resume-state';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'md-segstate-'));
  dirs.push(dir);
  return path.join(dir, 'x.part.json');
}

describe('the resume state of a segmented download', () => {
  it('still reads a one-connection state written before segments existed', async () => {
    const file = await stateFile();
    const old = { version: 1, url: 'https://huggingface.co/a/b/resolve/main/f', bytes: 10, updatedAt: 'then' };
    await writeFile(file, JSON.stringify(old));
    expect(await readResumeState(file)).toEqual(old);
  });

  it('round-trips every segment with its progress', async () => {
    const file = await stateFile();
    const state = {
      version: 2 as const,
      url: 'https://huggingface.co/a/b/resolve/main/f',
      total: 30,
      bytes: 10,
      segments: [
        { start: 0, end: 10, done: 10 },
        { start: 10, end: 30, done: 5 },
      ],
      updatedAt: 'now',
    };
    await writeResumeState(file, state);
    expect(await readResumeState(file)).toEqual(state);
  });

  it('reads a segment claiming more bytes done than it holds as no state at all', async () => {
    const file = await stateFile();
    const bad = { version: 2, url: 'u', bytes: 0, segments: [{ start: 0, end: 10, done: 11 }], updatedAt: 'now' };
    await writeFile(file, JSON.stringify(bad));
    expect(await readResumeState(file)).toBeNull();
  });
});
