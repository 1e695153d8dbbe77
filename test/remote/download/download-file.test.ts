import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { downloadFile } from '../../../sidecar/remote/download/download-file';
import { createHostPolicy } from '../../../sidecar/remote/host-policy';
import { test } from '../fixtures/download-test-context';
import { fastClock } from '../fixtures/manual-clock';

const MiB = 1024 * 1024;
const HF_TOKEN = 'hf_validTokenWithAccess01';
const OTHER_TOKEN = 'hf_validTokenWithoutAccess';
const noNoise = { noiseMs: 0 };
/** The sleeps that are retry delays: the stall watch ticks every 15 s (a quarter of its default 60 s). */
const retrySleeps = (slept: number[]): number[] => slept.filter((ms) => ms !== 15_000);

describe('downloadFile', () => {
  test('downloads a 1 GiB LFS file through the CDN redirect with a token that never reaches the CDN', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({
      id: 'org/big',
      gated: 'manual',
      tokensWithAccess: [HF_TOKEN],
      files: [{ path: 'big.safetensors', size: 1024 * MiB, seed: 'big' }],
    });
    const sha256 = await hub.sha256Of({ repoId: 'org/big', path: 'big.safetensors' });
    const dest = dirs.dest('big.safetensors');
    const result = await downloadFile({
      url: hub.resolveUrl('org/big', 'big.safetensors'),
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      token: HF_TOKEN,
      hostPolicy: policy,
    });
    expect(result).toEqual({ sha256, size: 1024 * MiB });
    expect((await stat(dest)).size).toBe(1024 * MiB);
    expect(await dirs.partials()).toEqual([]);
    const hf = hub.requests.filter((r) => r.server === 'hf');
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(hf.every((r) => r.hasAuthorization)).toBe(true);
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.some((r) => r.hasAuthorization)).toBe(false);
    expect(hub.requests.every((r) => !/Mozilla/.test(r.userAgent ?? ''))).toBe(true);
  }, 120_000);

  test('resumes after the connection drops at 40% and fetches at most 1.02x the file', async ({
    hub,
    policy,
    dirs,
  }) => {
    const size = 64 * MiB;
    hub.addRepo({ id: 'org/drop', files: [{ path: 'drop.safetensors', size, seed: 'drop' }] });
    hub.setFault({ kind: 'drop-after', bytes: Math.floor(size * 0.4), times: 1 });
    const sha256 = await hub.sha256Of({ repoId: 'org/drop', path: 'drop.safetensors' });
    const clock = fastClock();
    const result = await downloadFile({
      url: hub.resolveUrl('org/drop', 'drop.safetensors'),
      dest: dirs.dest('drop.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      hostPolicy: policy,
      clock,
      retry: noNoise,
    });
    expect(result.sha256).toBe(sha256);
    expect(hub.bytesServed({ server: 'cdn' })).toBeLessThanOrEqual(size * 1.02);
    const ranged = hub.requests.filter((r) => r.server === 'cdn' && r.range);
    expect(ranged.length).toBe(1);
    expect(ranged[0]?.range).toMatch(/^bytes=\d+-$/);
    expect(ranged[0]?.ifRange).toBeTruthy();
  });

  test('refuses a corrupt file: nothing under the final name, no partial left, both hashes named', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/bad', files: [{ path: 'bad.safetensors', size: 4 * MiB, seed: 'bad' }] });
    hub.setFault({ kind: 'corrupt', offset: 1234 });
    const expected = await hub.sha256Of({ repoId: 'org/bad', path: 'bad.safetensors' });
    const dest = dirs.dest('bad.safetensors');
    const error: unknown = await downloadFile({
      url: hub.resolveUrl('org/bad', 'bad.safetensors'),
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: expected,
      hostPolicy: policy,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HASH_MISMATCH', details: { expected } });
    const message = error instanceof Error ? error.message : '';
    const actual = /SHA-256 is ([0-9a-f]{64})/.exec(message)?.[1];
    expect(actual).toMatch(/^[0-9a-f]{64}$/);
    expect(actual).not.toBe(expected);
    expect(message).toContain(expected);
    expect(message).toMatch(/update the workflow's sha256/);
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await dirs.partials()).toEqual([]);
  });

  test('restarts cleanly when the server ignores Range after a drop', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/norange', files: [{ path: 'n.safetensors', size: 8 * MiB, seed: 'n' }] });
    hub.setFault({ kind: 'drop-after', bytes: 3 * MiB, times: 1 });
    hub.setFault({ kind: 'ignore-range' });
    const sha256 = await hub.sha256Of({ repoId: 'org/norange', path: 'n.safetensors' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/norange', 'n.safetensors'),
      dest: dirs.dest('n.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      hostPolicy: policy,
      clock: fastClock(),
      retry: noNoise,
    });
    expect(result).toEqual({ sha256, size: 8 * MiB });
  });

  test('completes after two 503s, waiting the backoff between tries', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/flaky', files: [{ path: 'f.safetensors', size: MiB, seed: 'f' }] });
    hub.setFault({ kind: 'fail', status: 503, times: 2, server: 'hf' });
    const clock = fastClock();
    const sha256 = await hub.sha256Of({ repoId: 'org/flaky', path: 'f.safetensors' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/flaky', 'f.safetensors'),
      dest: dirs.dest('f.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      hostPolicy: policy,
      clock,
      retry: noNoise,
    });
    expect(result.sha256).toBe(sha256);
    expect(retrySleeps(clock.slept)).toEqual([1000, 2000]);
  });

  test("completes after a 429, waiting RateLimit's t + 1 seconds", async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/limited', files: [{ path: 'l.safetensors', size: MiB, seed: 'l' }] });
    hub.setFault({ kind: 'fail', status: 429, resetSeconds: 4, times: 1, server: 'hf' });
    const clock = fastClock();
    await downloadFile({
      url: hub.resolveUrl('org/limited', 'l.safetensors'),
      dest: dirs.dest('l.safetensors'),
      tmpDir: dirs.tmpDir,
      hostPolicy: policy,
      clock,
      retry: noNoise,
    });
    expect(retrySleeps(clock.slept)).toEqual([5000]);
    expect(hub.requests.find((r) => r.status === 429)).toBeDefined();
  });

  test('tells a gated repository without a token (401) from a token without access (403, with the access page)', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: [HF_TOKEN],
      files: [{ path: 'g.safetensors', size: MiB, seed: 'g' }],
    });
    hub.addRepo({ id: 'org/other', tokensWithAccess: [OTHER_TOKEN], files: [{ path: 'o.safetensors', size: 1024 }] });
    const common = {
      url: hub.resolveUrl('org/gated', 'g.safetensors'),
      dest: dirs.dest('g.safetensors'),
      tmpDir: dirs.tmpDir,
      hostPolicy: policy,
    };
    await expect(downloadFile(common)).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
      message: expect.stringMatching(/none was given/),
      details: { provider: 'huggingface', status: 401 },
    });
    const denied: unknown = await downloadFile({ ...common, token: OTHER_TOKEN }).catch((e: unknown) => e);
    expect(denied).toMatchObject({
      code: 'AUTH_DENIED',
      details: { provider: 'huggingface', status: 403, accessUrl: `${hub.hfUrl}/org/gated` },
    });
    expect(String(denied instanceof Error ? denied.message : '')).not.toContain(OTHER_TOKEN);
    await expect(stat(common.dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await dirs.partials()).toEqual([]);
    const ok = await downloadFile({ ...common, token: HF_TOKEN });
    expect(ok.size).toBe(MiB);
  });

  test('refuses a redirect to a host that is not allowed and writes nothing', async ({ hub, dirs }) => {
    hub.addRepo({ id: 'org/elsewhere', files: [{ path: 'e.safetensors', size: MiB, seed: 'e' }] });
    // Only the HF endpoint is allowed: the CDN hop (another loopback host) is not.
    const strict = createHostPolicy({ hfEndpoint: hub.hfUrl });
    const dest = dirs.dest('e.safetensors');
    await expect(
      downloadFile({
        url: hub.resolveUrl('org/elsewhere', 'e.safetensors'),
        dest,
        tmpDir: dirs.tmpDir,
        hostPolicy: strict,
      }),
    ).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(hub.requests.filter((r) => r.server === 'cdn')).toEqual([]);
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await dirs.partials()).toEqual([]);
  });

  test('restarts instead of mixing when the file changes at the source during a resume (If-Range)', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/moving', files: [{ path: 'm.safetensors', size: 8 * MiB, seed: 'old' }] });
    hub.setFault({ kind: 'change-content', afterBytes: 4 * MiB, seed: 'new', times: 1 });
    const result = await downloadFile({
      url: hub.resolveUrl('org/moving', 'm.safetensors'),
      dest: dirs.dest('m.safetensors'),
      tmpDir: dirs.tmpDir,
      hostPolicy: policy,
      clock: fastClock(),
      retry: noNoise,
    });
    expect(result.sha256).toBe(await hub.sha256Of({ repoId: 'org/moving', path: 'm.safetensors' }));
  });

  test('names the idle phase when the server stalls', async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/stall', files: [{ path: 's.safetensors', size: 4 * MiB, seed: 's' }] });
    hub.setFault({ kind: 'stall-after', bytes: MiB });
    await expect(
      downloadFile({
        url: hub.resolveUrl('org/stall', 's.safetensors'),
        dest: dirs.dest('s.safetensors'),
        tmpDir: dirs.tmpDir,
        hostPolicy: policy,
        retry: { limit: 0 },
        timeouts: { idle: 300 },
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', details: { phase: 'idle' } });
    expect(await dirs.partials()).toHaveLength(2); // the partial and its state, kept for a resume
  });

  test('downloads from Civitai through presigned storage; the key reaches Civitai only', async ({
    hub,
    policy,
    dirs,
  }) => {
    const key = 'civitai_key_123456';
    hub.addCivitaiVersion({
      id: 777,
      requiresAuth: 'login',
      tokensWithAccess: [key],
      files: [{ name: 'lora.safetensors', size: 2 * MiB, seed: 'c' }],
    });
    const url = hub.civitaiDownloadUrl(777);
    const common = { url, dest: dirs.dest('lora.safetensors'), tmpDir: dirs.tmpDir, hostPolicy: policy };
    await expect(downloadFile(common)).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
      details: { provider: 'civitai', status: 401 },
      message: expect.stringMatching(/logged in/),
    });
    const result = await downloadFile({
      ...common,
      token: key,
      expectedSha256: await hub.sha256Of({ versionId: 777 }),
    });
    expect(result.size).toBe(2 * MiB);
    expect(hub.requests.filter((r) => r.server === 'storage' && r.hasAuthorization)).toEqual([]);
    expect(hub.requests.filter((r) => r.server === 'storage').length).toBeGreaterThan(0);
    const state = await readFile(dirs.tmpDir, 'utf8').catch(() => '');
    expect(state).not.toContain(key);
  });

  test('refuses to start without enough free space, and never overwrites an existing file', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/space', files: [{ path: 'x.safetensors', size: 2 * MiB, seed: 'x' }] });
    const url = hub.resolveUrl('org/space', 'x.safetensors');
    await expect(
      downloadFile({
        url,
        dest: dirs.dest('x.safetensors'),
        tmpDir: dirs.tmpDir,
        expectedSize: 2 * MiB,
        hostPolicy: policy,
        freeSpace: async () => MiB,
      }),
    ).rejects.toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/not enough free space/) });
    await mkdir(path.dirname(dirs.dest('x.safetensors')), { recursive: true });
    await writeFile(dirs.dest('x.safetensors'), 'mine');
    await expect(
      downloadFile({ url, dest: dirs.dest('x.safetensors'), tmpDir: dirs.tmpDir, hostPolicy: policy }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(dirs.dest('x.safetensors'), 'utf8')).toBe('mine');
  });

  test('finishes from a complete partial with a 416 answer, without fetching the file again', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/whole', files: [{ path: 'w.safetensors', size: 2 * MiB, seed: 'w' }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/whole', path: 'w.safetensors' });
    const url = hub.resolveUrl('org/whole', 'w.safetensors');
    const dest = dirs.dest('w.safetensors');
    await mkdir(path.dirname(dest), { recursive: true });
    // Another file appears under the name while this one is verified: refused at the final step, never replaced.
    const blocker = (p: { state: string }): void => {
      if (p.state === 'verifying') writeFileSync(dest, 'in the way');
    };
    await expect(
      downloadFile({ url, dest, tmpDir: dirs.tmpDir, expectedSha256: sha256, hostPolicy: policy, onProgress: blocker }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(dest, 'utf8')).toBe('in the way');
    await rm(dest);
    const served = hub.bytesServed();
    const result = await downloadFile({ url, dest, tmpDir: dirs.tmpDir, expectedSha256: sha256, hostPolicy: policy });
    expect(result).toEqual({ sha256, size: 2 * MiB });
    expect(hub.requests.at(-1)).toMatchObject({ status: 416, range: `bytes=${2 * MiB}-` });
    expect(hub.bytesServed() - served).toBeLessThan(1024);
  });

  test('follows the relative 307 of a regular (non-LFS) file on the same host, keeping the token there', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({
      id: 'org/small',
      tokensWithAccess: [HF_TOKEN],
      files: [{ path: 'config.json', content: '{"a":1}', lfs: false }],
    });
    const result = await downloadFile({
      url: hub.resolveUrl('org/small', 'config.json'),
      dest: dirs.dest('config.json'),
      tmpDir: dirs.tmpDir,
      token: HF_TOKEN,
      hostPolicy: policy,
    });
    expect(result.size).toBe(7);
    expect(await readFile(dirs.dest('config.json'), 'utf8')).toBe('{"a":1}');
    const hops = hub.requests.map((r) => ({ server: r.server, status: r.status, auth: r.hasAuthorization }));
    expect(hops).toEqual([
      { server: 'hf', status: 307, auth: true },
      { server: 'hf', status: 200, auth: true },
    ]);
  });

  test("accepts an injected fetch (Node's own) in place of socketFetch", async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/web', files: [{ path: 'w.safetensors', size: 2 * MiB, seed: 'web' }] });
    hub.setFault({ kind: 'drop-after', bytes: MiB, times: 1 });
    const sha256 = await hub.sha256Of({ repoId: 'org/web', path: 'w.safetensors' });
    const result = await downloadFile({
      url: hub.resolveUrl('org/web', 'w.safetensors'),
      dest: dirs.dest('w.safetensors'),
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256,
      hostPolicy: policy,
      fetch,
      clock: fastClock(),
      retry: noNoise,
    });
    expect(result.sha256).toBe(sha256);
    expect(hub.requests.filter((r) => r.server === 'cdn' && r.hasAuthorization)).toEqual([]);
  });

  test('refuses a token an HTTP header cannot carry with BAD_INPUT at once: no request, no retry, no partial', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/tok', files: [{ path: 't.safetensors', size: 1024, seed: 't' }] });
    const error = await downloadFile({
      url: hub.resolveUrl('org/tok', 't.safetensors'),
      dest: dirs.dest('t.safetensors'),
      tmpDir: dirs.tmpDir,
      token: 'hf_secret\u010d\u010aX-Injected: yes',
      hostPolicy: policy,
      clock: fastClock(),
      retry: noNoise,
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'BAD_INPUT' });
    expect(String((error as Error).message)).not.toContain('hf_secret');
    expect(hub.requests).toEqual([]);
    expect(await dirs.partials()).toEqual([]);
  });

  test('refuses an expected SHA-256 that is not 64 hex digits before touching the disk', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/odd', files: [{ path: 'o.safetensors', size: 1024, seed: 'o' }] });
    await expect(
      downloadFile({
        url: hub.resolveUrl('org/odd', 'o.safetensors'),
        dest: dirs.dest('o.safetensors'),
        tmpDir: dirs.tmpDir,
        expectedSha256: '../../escape',
        hostPolicy: policy,
      }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(hub.requests).toEqual([]);
    expect(await dirs.partials()).toEqual([]);
  });

  test('asks the hub again for a fresh signed URL when the CDN or storage refuses one as expired', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({ id: 'org/expiring', files: [{ path: 'e.safetensors', size: 3 * MiB, seed: 'e' }] });
    hub.setFault({ kind: 'expire-signature', server: 'cdn', times: 1 });
    const url = hub.resolveUrl('org/expiring', 'e.safetensors');
    const result = await downloadFile({
      url,
      dest: dirs.dest('e.safetensors'),
      tmpDir: dirs.tmpDir,
      hostPolicy: policy,
      clock: fastClock(),
    });
    expect(result.size).toBe(3 * MiB);
    expect(hub.requests.filter((r) => r.server === 'hf' && r.method === 'GET')).toHaveLength(2);
    expect(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.status)).toEqual([403, 200]);

    hub.addCivitaiVersion({ id: 778, files: [{ name: 'x.safetensors', size: MiB, seed: 'x' }] });
    hub.setFault({ kind: 'expire-signature', server: 'storage', times: 1 });
    const civitai = await downloadFile({
      url: hub.civitaiDownloadUrl(778),
      dest: dirs.dest('x.safetensors'),
      tmpDir: dirs.tmpDir,
      hostPolicy: policy,
      clock: fastClock(),
    });
    expect(civitai.size).toBe(MiB);
  });

  test("gives up with the CDN's 403 after two fresh signed URLs were refused too", async ({ hub, policy, dirs }) => {
    hub.addRepo({ id: 'org/expired', files: [{ path: 'x.safetensors', size: MiB, seed: 'x' }] });
    hub.setFault({ kind: 'expire-signature', server: 'cdn' });
    const url = hub.resolveUrl('org/expired', 'x.safetensors');
    await expect(
      downloadFile({
        url,
        dest: dirs.dest('x.safetensors'),
        tmpDir: dirs.tmpDir,
        hostPolicy: policy,
        clock: fastClock(),
      }),
    ).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 403 },
      message: expect.stringMatching(/403/),
    });
    expect(hub.requests.filter((r) => r.server === 'cdn')).toHaveLength(3);
    expect(await dirs.partials()).toEqual([]);
  });
});
