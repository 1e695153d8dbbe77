import { stat } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { createBandwidthLimiter } from '../../../sidecar/remote/bandwidth-limiter';
import { createDownloadQueue, type QueueProgress } from '../../../sidecar/remote/download/download-queue';
import { partialPaths } from '../../../sidecar/remote/partial/resume-state';
import { test } from '../fixtures/download-test-context';

const MiB = 1024 * 1024;

describe('createDownloadQueue', () => {
  test('shares one transfer between two concurrent requests for one SHA-256', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/shared', files: [{ path: 's.safetensors', size: 16 * MiB, seed: 'shared' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/shared', path: 's.safetensors' });
    const queue = createDownloadQueue({ hostPolicy: policy });
    const url = hub.resolveUrl('org/shared', 's.safetensors');
    const a = queue.add({
      id: 'a',
      url,
      dest: dirs.dest('s.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
    });
    const b = queue.add({
      id: 'b',
      url,
      dest: dirs.dest('copy.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
    });
    const [ra, rb] = await Promise.all([a.result, b.result]);
    expect(ra).toMatchObject({ sha256, joined: false, path: dirs.dest('s.safetensors') });
    expect(rb).toMatchObject({ sha256, joined: true, path: dirs.dest('s.safetensors') });
    expect(hub.bytesServed({ server: 'cdn' })).toBe(16 * MiB);
    expect(hub.requests.filter((r) => r.server === 'hf')).toHaveLength(1);
  });

  test('runs three transfers at once, queues the rest, and reports states, speed and ETA', async ({
    hub,
    policy,
    dirs,
  }) => {
    const files = [0, 1, 2, 3].map((i) => ({ path: `m${i}.safetensors`, size: 4 * MiB, seed: `m${i}` }));
    hub.addRepo({ id: 'org/many', files });
    hub.setFault({ kind: 'slow', bytesPerSecond: 16 * MiB });
    const queue = createDownloadQueue({ hostPolicy: policy, progressIntervalMs: 20 });
    const events: QueueProgress[] = [];
    queue.onProgress((event) => events.push(event));
    const handles = files.map((f, i) =>
      queue.add({ id: `j${i}`, url: hub.resolveUrl('org/many', f.path), dest: dirs.dest(f.path), tmpDir: dirs.tmpDir }),
    );
    expect(queue.running).toBe(3);
    expect(queue.waiting).toBe(1);
    await Promise.all(handles.map((h) => h.result));
    const states = (id: string): string[] => [...new Set(events.filter((e) => e.id === id).map((e) => e.state))];
    expect(states('j3')).toEqual(['queued', 'downloading', 'verifying', 'complete']);
    const moving = events.filter((e) => e.state === 'downloading' && e.speed > 0);
    expect(moving.length).toBeGreaterThan(0);
    expect(moving.some((e) => e.eta !== undefined && e.eta > 0)).toBe(true);
    expect(events.filter((e) => e.state === 'complete').map((e) => e.bytes)).toEqual(files.map(() => 4 * MiB));
  });

  test('cancel keeps the partial file, and a later request resumes it without fetching the prefix again', async ({
    hub,
    policy,
    dirs,
  }) => {
    const size = 32 * MiB;
    hub.addRepo({ id: 'org/cancel', files: [{ path: 'c.safetensors', size, seed: 'cancel' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/cancel', path: 'c.safetensors' });
    const url = hub.resolveUrl('org/cancel', 'c.safetensors');
    const limiter = createBandwidthLimiter({ kbps: 16 * 1024 });
    const queue = createDownloadQueue({ hostPolicy: policy, limiter, progressIntervalMs: 10 });
    const request = { url, dest: dirs.dest('c.safetensors'), tmpDir: dirs.tmpDir, expectedSha256: sha256 };
    let reportedAtCancel: number | undefined;
    const first = queue.add({
      ...request,
      id: 'first',
      // Past 4 MiB by at least one 4 KiB block: a direct-I/O partial keeps whole blocks only.
      onProgress: (p) => {
        if (reportedAtCancel === undefined && p.bytes >= 4 * MiB + 4096) {
          reportedAtCancel = p.bytes;
          first.cancel();
        }
      },
    });
    await expect(first.result).rejects.toMatchObject({ code: 'CANCELLED' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const kept = (await stat(partialPaths({ tmpDir: dirs.tmpDir, url, expectedSha256: sha256 }).part)).size;
    expect(kept).toBeGreaterThan(4 * MiB);
    // Every byte reported before the cancel is kept (all but a partial 4 KiB block with direct I/O).
    // Unset only if the cancel came from elsewhere: NaN then fails the comparison.
    const reported = reportedAtCancel ?? Number.NaN;
    expect(kept).toBeGreaterThanOrEqual(reported - (reported % 4096));
    limiter.setRate(null);
    const second = await queue.add({ ...request, id: 'second' }).result;
    expect(second.sha256).toBe(sha256);
    const resumed = hub.requests.filter((r) => r.server === 'cdn').at(-1);
    expect(resumed).toMatchObject({ range: `bytes=${kept}-`, status: 206, bytesSent: size - kept });
  });

  test('cancel with discardPartial removes the partial file and its state', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/discard', files: [{ path: 'd.safetensors', size: 8 * MiB, seed: 'd' }] });
    hub.setFault({ kind: 'slow', bytesPerSecond: 4 * MiB });
    const queue = createDownloadQueue({ hostPolicy: policy, progressIntervalMs: 10 });
    const events: string[] = [];
    const handle = queue.add({
      id: 'd',
      url: hub.resolveUrl('org/discard', 'd.safetensors'),
      dest: dirs.dest('d.safetensors'),
      tmpDir: dirs.tmpDir,
      onProgress: (p) => {
        events.push(p.state);
        if (p.bytes > MiB) handle.cancel({ discardPartial: true });
      },
    });
    await expect(handle.result).rejects.toMatchObject({ code: 'CANCELLED' });
    await queue.close();
    expect(events.at(-1)).toBe('cancelled');
    expect(await dirs.partials()).toEqual([]);
  });
});
