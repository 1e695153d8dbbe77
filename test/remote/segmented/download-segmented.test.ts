import { stat } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { downloadFile } from '../../../sidecar/remote/download/download-file';
import { createDownloadQueue } from '../../../sidecar/remote/download/download-queue';
import { test } from '../fixtures/download-test-context';
import { fastClock } from '../fixtures/manual-clock';

const MiB = 1024 * 1024;
const SIZE = 128 * MiB;

describe('downloadFile over several connections', () => {
  test('fetches a 128 MiB file over 8 ranged connections and verifies it', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/seg', files: [{ path: 's.safetensors', size: SIZE, seed: 'seg' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/seg', path: 's.safetensors' });
    const dest = dirs.dest('s.safetensors');
    const result = await downloadFile({
      url: hub.resolveUrl('org/seg', 's.safetensors'),
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: SIZE,
      hostPolicy: policy,
      connections: 8,
    });
    expect(result).toEqual({ sha256, size: SIZE });
    expect((await stat(dest)).size).toBe(SIZE);
    expect(await dirs.partials()).toEqual([]);
    const ranged = hub.requests.filter((r) => r.server === 'cdn' && r.status === 206);
    expect(ranged.length).toBeGreaterThanOrEqual(8);
    expect(ranged.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ''))).toBe(true);
    const served = hub.bytesServed({ server: 'cdn' });
    console.info(`served ${(served / SIZE).toFixed(4)}x over ${ranged.length} ranged requests`);
    expect(served).toBeLessThanOrEqual(SIZE * 1.02);
  }, 60_000);

  test('resumes a segment whose connection drops at 40%, fetching at most 1.02x the file', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/segdrop', files: [{ path: 'd.safetensors', size: SIZE, seed: 'segdrop' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/segdrop', path: 'd.safetensors' });
    // The third segment's answer is cut after 40% of its 16 MiB.
    hub.setFault({ kind: 'drop-after', bytes: Math.floor(16 * MiB * 0.4), server: 'cdn', times: 1, urlPath: /./ });
    hub.setFault({ kind: 'slow', bytesPerSecond: 64 * MiB, server: 'cdn' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/segdrop', 'd.safetensors'),
      dest: dirs.dest('d.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: SIZE,
      hostPolicy: policy,
      connections: 8,
      clock: fastClock(),
      retry: { noiseMs: 0 },
    });
    expect(result).toEqual({ sha256, size: SIZE });
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    const served = hub.bytesServed({ server: 'cdn' });
    console.info(`served ${(served / SIZE).toFixed(4)}x over ${cdn.length} requests after a drop`);
    expect(served).toBeLessThanOrEqual(SIZE * 1.02);
    expect(cdn.length).toBeGreaterThan(8);
  }, 60_000);

  test('falls back to one connection when the server ignores Range', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/norange', files: [{ path: 'n.safetensors', size: SIZE, seed: 'norange' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/norange', path: 'n.safetensors' });
    hub.setFault({ kind: 'ignore-range', server: 'cdn' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/norange', 'n.safetensors'),
      dest: dirs.dest('n.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: SIZE,
      hostPolicy: policy,
      connections: 8,
    });
    expect(result).toEqual({ sha256, size: SIZE });
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdn).toHaveLength(1);
    expect(cdn[0]?.status).toBe(200);
    expect(hub.bytesServed({ server: 'cdn' })).toBe(SIZE);
  }, 60_000);

  test('takes the connections per file from the download queue, one connection when asked', async ({
    hub,
    policy,
    dirs,
  }) => {
    const size = 64 * MiB;
    hub.addRepo({ id: 'org/queued', files: [{ path: 'a.safetensors', size, seed: 'qa' }] });
    const url = hub.resolveUrl('org/queued', 'a.safetensors');
    const four = createDownloadQueue({ hostPolicy: policy, connections: 4 });
    await four.add({ url, dest: dirs.dest('a.safetensors'), tmpDir: dirs.tmpDir, expectedSize: size }).result;
    expect(hub.requests.filter((r) => r.server === 'cdn' && r.status === 206).length).toBeGreaterThanOrEqual(4);
    hub.resetLog();
    const one = createDownloadQueue({ hostPolicy: policy, connections: 1 });
    await one.add({ url, dest: dirs.dest('b.safetensors'), tmpDir: dirs.tmpDir, expectedSize: size }).result;
    expect(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.range)).toEqual([undefined]);
    await Promise.all([four.close(), one.close()]);
  }, 60_000);

  test("streams each segment from an injected fetch (Node's own) as well", async ({ hub, policy, dirs }) => {
    const size = 64 * MiB;
    hub.addRepo({ id: 'org/webseg', files: [{ path: 'w.safetensors', size, seed: 'webseg' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/webseg', path: 'w.safetensors' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/webseg', 'w.safetensors'),
      dest: dirs.dest('w.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: size,
      hostPolicy: policy,
      connections: 4,
      fetch,
    });
    expect(result).toEqual({ sha256, size });
    expect(hub.requests.filter((r) => r.server === 'cdn' && r.status === 206).length).toBeGreaterThanOrEqual(4);
    expect(hub.bytesServed({ server: 'cdn' })).toBe(size);
  }, 60_000);

  test('refuses a corrupt segment: nothing under the final name, no partial left', async ({ hub, policy, dirs }) => {
    const size = 64 * MiB;
    hub.addRepo({ id: 'org/badseg', files: [{ path: 'b.safetensors', size, seed: 'badseg' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/badseg', path: 'b.safetensors' });
    hub.setFault({ kind: 'corrupt', offset: 40 * MiB + 123, server: 'cdn' });
    const dest = dirs.dest('b.safetensors');
    const failure = await downloadFile({
      url: hub.resolveUrl('org/badseg', 'b.safetensors'),
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      expectedSize: size,
      hostPolicy: policy,
      connections: 4,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'HASH_MISMATCH' });
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await dirs.partials()).toEqual([]);
  }, 60_000);
});
