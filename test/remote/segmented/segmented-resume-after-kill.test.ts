import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { downloadFile } from '../../../sidecar/remote/download/download-file';
import { partialPaths, readResumeState } from '../../../sidecar/remote/partial/resume-state';
import { test } from '../fixtures/download-test-context';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const zProgressLine = z.object({ bytes: z.number() });

describe('a segmented download after a restart', () => {
  test('resumes each segment after a SIGKILL at 50%, fetching at most 1.02x the file', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/segkill', files: [{ path: 'k.safetensors', size: SIZE, seed: 'segkill' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/segkill', path: 'k.safetensors' });
    // 16 MiB/s per connection, as a CDN gives each one: 8 connections reach 50% in about 4 s.
    hub.setFault({ kind: 'slow', bytesPerSecond: 16 * MiB, server: 'cdn' });
    const url = hub.resolveUrl('org/segkill', 'k.safetensors');
    const dest = dirs.dest('k.safetensors');
    const input = { url, dest, tmpDir: dirs.tmpDir, expectedSha256: sha256, expectedSize: SIZE, connections: 8 };
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/remote/fixtures/download-child.ts',
        JSON.stringify({ ...input, hfEndpoint: hub.hfUrl }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    for await (const line of createInterface({ input: child.stdout })) {
      const progress = zProgressLine.safeParse(JSON.parse(line));
      if (progress.success && progress.data.bytes >= SIZE / 2) break;
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const state = await readResumeState(partialPaths({ tmpDir: dirs.tmpDir, url, expectedSha256: sha256 }).state);
    expect(state?.segments?.length).toBeGreaterThanOrEqual(8);
    const kept = state?.segments?.reduce((sum, s) => sum + s.done, 0) ?? 0;
    expect(kept).toBeGreaterThan(0);

    const result = await downloadFile({ ...input, hostPolicy: policy });
    expect(result).toEqual({ sha256, size: SIZE });
    const served = hub.bytesServed({ server: 'cdn' });
    console.info(`served ${(served / SIZE).toFixed(4)}x of the file across the kill (kept ${kept} bytes)`);
    expect(served).toBeLessThanOrEqual(SIZE * 1.02);
    // Every segment went on from its own progress: no range was asked for from its start again.
    const resumed = hub.requests.filter((r) => r.server === 'cdn').slice(8);
    expect(resumed.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ''))).toBe(true);
    expect(await dirs.partials()).toEqual([]);
  }, 120_000);
});
