import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { test } from './fake-hub-fixture';
import type { FakeHub } from './create-fake-hub';

function addVersions(hub: FakeHub): void {
  hub.addCivitaiVersion({
    id: 100,
    modelName: 'Good Model',
    files: [
      { name: 'good.safetensors', size: 70_000 },
      { name: 'good-pruned.safetensors', size: 30_000, sizeLabel: 'pruned', primary: false },
      { name: 'good.vae.pt', size: 5000, type: 'VAE', format: 'PickleTensor', primary: false },
    ],
  });
  hub.addCivitaiVersion({
    id: 200,
    requiresAuth: 'login',
    tokensWithAccess: ['civitai_buyer'],
    files: [{ name: 'members.safetensors', size: 4000 }],
  });
}

describe('fake hub: Civitai downloads', () => {
  test('answers 307 to presigned storage on another host with Cache-Control: no-store and the name in response-content-disposition', async ({
    hub,
  }) => {
    addVersions(hub);
    const res = await fetch(hub.civitaiDownloadUrl(100), { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin).toBe(hub.storageUrl);
    expect(location.hostname).not.toBe(new URL(hub.civitaiUrl).hostname);
    expect(location.pathname).toMatch(/^\/model\/100\/good\.[0-9a-f]{10}\.safetensors$/);
    expect(location.searchParams.get('response-content-disposition')).toBe('attachment; filename="good.safetensors"');
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(location.search).toContain('response-content-disposition=attachment%3B%20filename%3D%22good.safetensors%22');
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="good.safetensors"');
    expect(file.headers.get('accept-ranges')).toBe('bytes');
    expect(
      createHash('sha256')
        .update(Buffer.from(await file.arrayBuffer()))
        .digest('hex'),
    ).toBe(await hub.sha256Of({ versionId: 100, name: 'good.safetensors' }));
    const part = await fetch(location, { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-9/70000');
    await part.arrayBuffer();
  });

  test('selects a file by type, format, size and fileId, 404 "File not found" when none matches', async ({ hub }) => {
    addVersions(hub);
    const nameOf = async (query: Record<string, string>): Promise<string | number> => {
      const res = await fetch(hub.civitaiDownloadUrl(100, query), { redirect: 'manual' });
      if (res.status !== 307) return res.status;
      return new URL(res.headers.get('location') ?? '').searchParams.get('response-content-disposition') ?? '';
    };
    expect(await nameOf({ type: 'VAE', format: 'PickleTensor' })).toContain('good.vae.pt');
    expect(await nameOf({ size: 'pruned' })).toContain('good-pruned.safetensors');
    expect(await nameOf({ fileId: '1001' })).toContain('good-pruned.safetensors');
    const missing = await fetch(hub.civitaiDownloadUrl(100, { format: 'GGUF' }), { redirect: 'manual' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'File not found' });
  });

  test('a version that needs a login: 401 without a key (or with an unknown one), 403 without the grant, 307 by Bearer or ?token=', async ({
    hub,
  }) => {
    addVersions(hub);
    const none = await fetch(hub.civitaiDownloadUrl(200), { redirect: 'manual' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      error: 'Unauthorized',
      message: 'The creator of this asset requires you to be logged in to download it',
    });
    const unknown = await fetch(hub.civitaiDownloadUrl(200), {
      redirect: 'manual',
      headers: { Authorization: 'Bearer nobody' },
    });
    expect(unknown.status).toBe(401);
    await unknown.text();
    const denied = await fetch(hub.civitaiDownloadUrl(200), {
      redirect: 'manual',
      headers: { Authorization: 'Bearer civitai_valid' },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'You do not have access to download this file' });
    const bearer = await fetch(hub.civitaiDownloadUrl(200), {
      redirect: 'manual',
      headers: { Authorization: 'Bearer civitai_buyer' },
    });
    expect(bearer.status).toBe(307);
    const query = await fetch(hub.civitaiDownloadUrl(200, { token: 'civitai_buyer' }), { redirect: 'manual' });
    expect(query.status).toBe(307);
    // The Bearer header wins over ?token=.
    const both = await fetch(hub.civitaiDownloadUrl(200, { token: 'civitai_buyer' }), {
      redirect: 'manual',
      headers: { Authorization: 'Bearer civitai_valid' },
    });
    expect(both.status).toBe(403);
    await both.text();
    expect(JSON.stringify(hub.requests)).not.toContain('civitai_buyer');
    expect(hub.requests.find((r) => r.hasTokenQuery)?.query.token).toBe('[redacted]');
  });

  test('early access, disabled downloads and archived versions answer as Civitai does', async ({ hub }) => {
    hub.addCivitaiVersion({ id: 300, requiresAuth: 'early-access', files: [{ name: 'a.safetensors', size: 10 }] });
    hub.addCivitaiVersion({ id: 301, requiresAuth: 'disabled', files: [{ name: 'b.safetensors', size: 10 }] });
    hub.addCivitaiVersion({ id: 302, archived: true, files: [{ name: 'c.safetensors', size: 10 }] });
    const early = await fetch(hub.civitaiDownloadUrl(300), { redirect: 'manual' });
    expect(early.status).toBe(403);
    expect(await early.json()).toMatchObject({ error: 'Early Access', deadline: expect.any(String) });
    const disabled = await fetch(hub.civitaiDownloadUrl(301), { redirect: 'manual' });
    expect(disabled.status).toBe(401);
    expect(await disabled.json()).toMatchObject({
      message: 'The creator of this asset has disabled downloads on this file',
    });
    expect((await fetch(hub.civitaiDownloadUrl(302), { redirect: 'manual' })).status).toBe(410);
  });

  test('sends a non-ASCII file name as UTF-8 in Content-Disposition', async ({ hub }) => {
    hub.addCivitaiVersion({ id: 400, files: [{ name: 'モデル v2.safetensors', size: 10 }] });
    const location = (await fetch(hub.civitaiDownloadUrl(400), { redirect: 'manual' })).headers.get('location') ?? '';
    expect(new URL(location).searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="モデル v2.safetensors"',
    );
    const res = await fetch(location);
    expect(Buffer.from(res.headers.get('content-disposition') ?? '', 'latin1').toString('utf8')).toBe(
      'attachment; filename="モデル v2.safetensors"',
    );
    await res.arrayBuffer();
  });

  test('the storage host records an Authorization header it receives', async ({ hub }) => {
    addVersions(hub);
    const location = (await fetch(hub.civitaiDownloadUrl(100), { redirect: 'manual' })).headers.get('location') ?? '';
    await (await fetch(location, { headers: { Authorization: 'Bearer leaked' } })).arrayBuffer();
    expect(hub.requests.at(-1)).toMatchObject({
      server: 'storage',
      hasAuthorization: true,
      file: 'good.safetensors',
      bytesSent: 70_000,
    });
    expect(hub.bytesServed({ server: 'storage' })).toBe(70_000);
  });
});

describe('fake hub: Civitai model-version API', () => {
  test('answers by id and by hash (any case, SHA256 or AutoV2) with UPPERCASE hashes and sizeKB as a float', async ({
    hub,
  }) => {
    addVersions(hub);
    const sha256 = await hub.sha256Of({ versionId: 100, name: 'good.safetensors' });
    const byId = (await (await fetch(`${hub.civitaiUrl}/api/v1/model-versions/100`)).json()) as {
      files: Array<Record<string, unknown>>;
      model: unknown;
    };
    expect(byId.model).toMatchObject({ name: 'Good Model', type: 'Checkpoint' });
    expect(byId.files[0]).toMatchObject({
      name: 'good.safetensors',
      sizeKB: 70_000 / 1024,
      hashes: { SHA256: sha256.toUpperCase(), AutoV2: sha256.slice(0, 10).toUpperCase() },
      metadata: { format: 'SafeTensor', size: 'full', fp: 'fp16' },
      primary: true,
    });
    for (const hash of [sha256, sha256.toUpperCase(), sha256.slice(0, 10)]) {
      const res = await fetch(`${hub.civitaiUrl}/api/v1/model-versions/by-hash/${hash}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: number }).id).toBe(100);
    }
    const missing = await fetch(`${hub.civitaiUrl}/api/v1/model-versions/by-hash/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Model not found' });
  });
});
