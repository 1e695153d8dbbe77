import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDownload } from '../../../sidecar/remote/partial/publish-download';

/** A small tmpfs is another volume than the temporary folder; mounting one needs root, else the test says why. */
function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String(error).split('\n')[0]})`;
  }
}

describe('publishDownload', () => {
  let root: string;
  let otherVolume: string;
  let skipReason: string | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'publish-'));
    otherVolume = path.join(root, 'other-volume');
    await mkdir(otherVolume);
    skipReason = mountTmpfs(otherVolume);
  });
  afterAll(async () => {
    if (!skipReason) execFileSync('umount', [otherVolume]);
    await rm(root, { recursive: true, force: true });
  });

  it('moves a verified file onto another volume whole, with no temporary name left', async (context) => {
    if (skipReason) context.skip(skipReason);
    const part = path.join(root, 'a.part');
    await writeFile(part, 'model bytes');
    await writeFile(`${part}.json`, '{}');
    const dest = path.join(otherVolume, 'loras', 'a.safetensors');
    await publishDownload({ part, state: `${part}.json` }, dest, 'a.safetensors');
    expect(await readFile(dest, 'utf8')).toBe('model bytes');
    expect(await readdir(path.dirname(dest))).toEqual(['a.safetensors']);
    expect(await readdir(root)).toEqual(['other-volume']);
  });

  it('never overwrites a file already on the other volume, and keeps the partial to try again', async (context) => {
    if (skipReason) context.skip(skipReason);
    const part = path.join(root, 'b.part');
    await writeFile(part, 'new bytes');
    const dest = path.join(otherVolume, 'b.safetensors');
    await writeFile(dest, 'mine');
    await expect(publishDownload({ part, state: `${part}.json` }, dest, 'b.safetensors')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await readFile(dest, 'utf8')).toBe('mine');
    expect(await readFile(part, 'utf8')).toBe('new bytes');
    expect((await readdir(otherVolume)).filter((name) => name.endsWith('.copying'))).toEqual([]);
  });
});
