import { describe, expect } from 'vitest';
import { hfFileInfo } from '../../../sidecar/remote/hub/hf-file-info';
import { test } from '../../fake-hub/fake-hub-fixture';

const MiB = 1024 * 1024;

describe('hfFileInfo', () => {
  test('gives the SHA-256, size and commit of an LFS file from the 302, without downloading it', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'unet/m.safetensors', size: 20 * MiB }] });
    const info = await hfFileInfo({
      url: 'https://huggingface.co/org/m/resolve/main/unet/m.safetensors',
      hubUrl: hub.hfUrl,
    });
    const sha256 = await hub.sha256Of({ repoId: 'org/m', path: 'unet/m.safetensors' });
    expect(info).toEqual({ sha256, size: 20 * MiB, commit: hub.commitOf('org/m'), etag: `"${sha256}"`, lfs: true });
    expect(hub.requests.map((r) => [r.server, r.method])).toEqual([['hf', 'HEAD']]);
    expect(hub.bytesServed({ server: 'cdn' })).toBe(0);
  });

  test('gives the size and git ETag of a regular file through the relative 307, with no SHA-256', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'config.json', content: '{"a":1}' }] });
    const info = await hfFileInfo({ repoId: 'org/m', path: 'config.json', hubUrl: hub.hfUrl, fetch });
    expect(info).toMatchObject({ size: 7, lfs: false, commit: hub.commitOf('org/m') });
    expect(info?.sha256).toBeUndefined();
    expect(info?.etag).toMatch(/^"[0-9a-f]{40}"$/);
  });

  test('answers null for a file that does not exist', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'a.json', content: '{}' }] });
    expect(await hfFileInfo({ repoId: 'org/m', path: 'nope.safetensors', hubUrl: hub.hfUrl })).toBeNull();
  });

  test('tells a gated repository without a token (AUTH_REQUIRED) from a token without access (AUTH_DENIED, access page)', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: ['hf_granted'],
      files: [{ path: 'm.safetensors', size: 100 }],
    });
    const base = { repoId: 'org/gated', path: 'm.safetensors', hubUrl: hub.hfUrl };
    await expect(hfFileInfo(base)).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
      details: { provider: 'huggingface', status: 401, accessUrl: `${hub.hfUrl}/org/gated` },
    });
    const denied = hfFileInfo({ ...base, token: 'hf_valid_without_grant' });
    await expect(denied).rejects.toMatchObject({
      code: 'AUTH_DENIED',
      details: { provider: 'huggingface', status: 403, accessUrl: `${hub.hfUrl}/org/gated` },
    });
    await expect(denied).rejects.not.toThrow(/hf_valid_without_grant/);
    expect(await hfFileInfo({ ...base, token: 'hf_granted' })).toMatchObject({ size: 100, lfs: true });
  });

  test('a token the Hub does not know is AUTH_REQUIRED, saying the token was not accepted', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'm.safetensors', size: 100 }] });
    const attempt = hfFileInfo({
      repoId: 'org/m',
      path: 'm.safetensors',
      hubUrl: hub.hfUrl,
      token: 'hf_expired_token',
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
      message: expect.stringMatching(/token was not accepted/),
    });
    await expect(attempt).rejects.not.toThrow(/hf_expired_token/);
  });

  test('reports a missing revision as NOT_FOUND and retries a 503 before answering', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'm.safetensors', size: 100 }] });
    await expect(
      hfFileInfo({ repoId: 'org/m', path: 'm.safetensors', revision: 'nope', hubUrl: hub.hfUrl }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    hub.setFault({ kind: 'fail', status: 503, server: 'hf', times: 2 });
    const waits: number[] = [];
    const info = await hfFileInfo({
      repoId: 'org/m',
      path: 'm.safetensors',
      hubUrl: hub.hfUrl,
      sleep: async (ms) => void waits.push(ms),
      retry: { noiseMs: 0 },
    });
    expect(info?.size).toBe(100);
    expect(waits).toEqual([1000, 2000]);
  });
});
