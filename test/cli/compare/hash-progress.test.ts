import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createHashProgress } from '../../../sidecar/cli/compare/hash-progress';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let out = '';
  pass.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { stream: Object.assign(pass, { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream, text: () => out };
}

describe('createHashProgress', () => {
  it('prints plain lines with files, bytes, speed and ETA, at most one per interval, when not a terminal', async () => {
    const { stream, text } = fakeStream(false);
    let now = 0;
    const progress = createHashProgress({ stream, now: () => now, lineEveryMs: 2000 });
    const step = (filesDone: number, bytesDone: number) =>
      progress.update({ filesDone, filesTotal: 4, bytesDone, bytesTotal: 4_000_000 });
    now = 1000;
    step(1, 1_000_000);
    now = 1500;
    step(1, 1_500_000);
    now = 3000;
    step(2, 2_000_000);
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text().split('\n')).toEqual([
      'Hashing: 1/4 files, 1.0 MB/4.0 MB, 1.0 MB/s, ETA 3s',
      'Hashing: 2/4 files, 2.0 MB/4.0 MB, 667 KB/s, ETA 3s',
      'Hashed: 2/4 files, 2.0 MB/4.0 MB, 667 KB/s',
      '',
    ]);
  });

  it('draws a live bar on a terminal', async () => {
    const { stream, text } = fakeStream(true);
    const progress = createHashProgress({ stream });
    progress.update({ filesDone: 1, filesTotal: 2, bytesDone: 500, bytesTotal: 1000 });
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/Hashing \[.*\] \d+% \| 1\/2 files \| 500 B\/1\.0 KB \|/);
  });
});
