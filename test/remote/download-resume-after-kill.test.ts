import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { partialPaths } from '../../sidecar/remote/partial/resume-state';
import { RING_WRITE_WINDOW } from '../../sidecar/remote/ring/ring-file-writer';
import { test } from './fixtures/download-test-context';

const SIZE = 1024 * 1024 * 1024;

describe('downloadFile after a restart', () => {
  test('resumes a download whose process was SIGKILLed at 50%, fetching at most 1.02x the file', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/killed', files: [{ path: 'k.safetensors', size: SIZE, seed: 'killed' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/killed', path: 'k.safetensors' });
    const url = hub.resolveUrl('org/killed', 'k.safetensors');
    const dest = dirs.dest('k.safetensors');
    const { part } = partialPaths({ tmpDir: dirs.tmpDir, url, expectedSha256: sha256 });

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/remote/fixtures/download-child.ts',
        JSON.stringify({
          url,
          dest,
          tmpDir: dirs.tmpDir,
          expectedSha256: sha256,
          expectedSize: SIZE,
          hfEndpoint: hub.hfUrl,
        }),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let partSize = 0;
    while (partSize < SIZE / 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      partSize = await stat(part).then(
        (s) => s.size,
        () => 0,
      );
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const keptBytes = (await stat(part)).size;
    expect(keptBytes).toBeGreaterThanOrEqual(SIZE / 2);
    expect(keptBytes).toBeLessThan(SIZE);

    const result = await downloadFile({
      url,
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: SIZE,
      hostPolicy: policy,
    });
    expect(result).toEqual({ sha256, size: SIZE });
    const served = hub.bytesServed({ server: 'cdn' });
    console.info(`served ${(served / SIZE).toFixed(4)}x of the file across the kill (kept ${keptBytes} bytes)`);
    expect(served).toBeLessThanOrEqual(SIZE * 1.02);
    // One resumed request, from the kept prefix: writes run in parallel, so the killed file's last window of writes
    // (it may hold a hole) is fetched again.
    const resumed = hub.requests.filter((r) => r.server === 'cdn' && r.range !== undefined);
    expect(resumed).toHaveLength(1);
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(resumed[0]?.range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(keptBytes - RING_WRITE_WINDOW - 4096);
    expect(resumedFrom).toBeLessThanOrEqual(keptBytes);
    expect(await dirs.partials()).toEqual([]);
  }, 120_000);
});
