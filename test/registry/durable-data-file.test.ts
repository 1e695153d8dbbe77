import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { DurableDataFile } from '../../sidecar/registry/durable-data-file';
import { test } from '../disk/temp-dir-test';

const json = { parse: (text: string): unknown => JSON.parse(text), stringify: (data: unknown) => JSON.stringify(data) };

describe('DurableDataFile', () => {
  test('reads null when there is no file, and the data written otherwise', async ({ dir }) => {
    const file = new DurableDataFile(path.join(dir, 'data.json'), json);
    expect(await file.read()).toBeNull();
    await file.write({ a: 1 });
    expect(await file.read()).toEqual({ a: 1 });
  });

  test('ends with the newest data when many writes are made at once, and leaves no temporary file', async ({ dir }) => {
    const target = path.join(dir, 'data.json');
    const file = new DurableDataFile(target, json);
    // A big first write, so the later ones start while it is in flight and a wrong rename order would show.
    await Promise.all([
      file.write({ n: 0, pad: 'x'.repeat(4_000_000) }),
      ...Array.from({ length: 50 }, (_, i) => file.write({ n: i + 1 })),
    ]);
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ n: 50 });
    expect(await readdir(dir)).toEqual(['data.json']);
  });

  test('takes the data as it is when write() is called, not as it is later', async ({ dir }) => {
    const target = path.join(dir, 'data.json');
    const file = new DurableDataFile(target, json);
    const data = { n: 1 };
    const written = file.write(data);
    data.n = 2;
    await written;
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ n: 1 });
  });

  test('rejects a failed write for its callers and still runs the writes after it', async ({ dir }) => {
    const target = path.join(dir, 'data.json');
    const file = new DurableDataFile(target, json);
    // A folder in the file's place: the rename over it fails.
    await mkdir(path.join(target, 'blocker'), { recursive: true });
    await expect(file.write({ n: 1 })).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    await rm(target, { recursive: true });
    await file.write({ n: 2 });
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ n: 2 });
    expect(await readdir(dir)).toEqual(['data.json']);
  });
});
