import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { writeFileAtomic } from '../../sidecar/disk/write-file-atomic';
import { test } from './temp-dir-test';

describe('writeFileAtomic', () => {
  test('creates the folder, replaces the old content and leaves no temporary file', async ({ dir }) => {
    const file = path.join(dir, 'sub', 'state.json');
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, '{"a":2}', { flush: true });
    expect(await readFile(file, 'utf8')).toBe('{"a":2}');
    expect(await readdir(path.join(dir, 'sub'))).toEqual(['state.json']);
  });

  test('gives the file exactly the mode asked for, whatever the umask', async ({ dir }) => {
    const file = path.join(dir, 'secret');
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(file, 'key', { mode: 0o640 });
    } finally {
      process.umask(umask);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  test('rethrows a failed rename and removes its temporary file', async ({ dir }) => {
    const file = path.join(dir, 'taken');
    await mkdir(path.join(file, 'inside'), { recursive: true });
    await expect(writeFileAtomic(file, 'x')).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
