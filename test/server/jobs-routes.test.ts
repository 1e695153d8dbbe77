import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { Job } from '../../shared/job';
import { httpRequest } from './http-request';
import { postJson, test } from './sidecar-fixture';

const FILE = 'model.safetensors';
const SIZE = 2 * 1024 * 1024;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('/models/download and /models/jobs', () => {
  test('uses tokens from the body for a gated download and writes them nowhere', async ({
    hub,
    server,
    depot,
    modelsRoot,
  }) => {
    const TOKEN = 'hf_body_token_9876543210';
    hub.addRepo({ id: 'gated/m', gated: 'manual', tokensWithAccess: [TOKEN], files: [{ path: FILE, size: SIZE }] });
    const item = {
      category: 'loras',
      filename: FILE,
      urls: [`https://huggingface.co/gated/m/resolve/main/${FILE}`],
      origin: 'dependencies',
    };
    const res = await postJson(server, '/models/download', { items: [item], tokens: { huggingface: TOKEN } });
    expect(res.status, res.text).toBe(202);
    const [job] = (res.json as { jobs: Job[] }).jobs;
    const [done] = await depot.settled([job?.id ?? '']);
    expect(done).toMatchObject({ state: 'complete', bytes: SIZE });
    const one = await httpRequest(`${server.url}/models/jobs/${job?.id}`);
    expect(one.json).toMatchObject({ job: { state: 'complete' } });
    expect((await httpRequest(`${server.url}/models/jobs`)).text).not.toContain(TOKEN);
    for (const file of await filesUnder(modelsRoot)) {
      if (file.endsWith('.safetensors')) continue;
      expect(await readFile(file, 'utf8'), file).not.toContain(TOKEN);
    }
  });

  test('an HTTP install without a needed token fails at once with AUTH_REQUIRED (nobody could answer a dialog)', async ({
    hub,
    server,
    depot,
  }) => {
    hub.addRepo({
      id: 'gated/m',
      gated: 'manual',
      tokensWithAccess: ['hf_someone'],
      files: [{ path: FILE, size: SIZE }],
    });
    const item = { category: 'loras', filename: FILE, urls: [hub.resolveUrl('gated/m', FILE)], origin: 'dependencies' };
    const res = await postJson(server, '/models/download', { items: [item] });
    const [job] = (res.json as { jobs: Job[] }).jobs;
    const [done] = await depot.settled([job?.id ?? '']);
    expect(done).toMatchObject({
      state: 'failed',
      error: { code: 'AUTH_REQUIRED', message: expect.stringMatching(/token/) },
    });
  });

  test('DELETE /models/jobs/:id cancels a running download and keeps its partial file', async ({
    hub,
    server,
    depot,
    modelsRoot,
  }) => {
    hub.addRepo({ id: 'org/big', files: [{ path: FILE, size: 8 * SIZE }] });
    hub.setFault({ kind: 'slow', bytesPerSecond: 1024 * 1024 });
    const item = { category: 'loras', filename: FILE, urls: [hub.resolveUrl('org/big', FILE)], origin: 'dependencies' };
    const res = await postJson(server, '/models/download', { items: [item] });
    const [job] = (res.json as { jobs: Job[] }).jobs;
    await new Promise<void>((resolve) => {
      const off = depot.on('progress', (j) => {
        if (j.id === job?.id && j.bytes > 0) {
          off();
          resolve();
        }
      });
    });
    const cancel = await httpRequest(`${server.url}/models/jobs/${job?.id}`, { method: 'DELETE' });
    expect(cancel.status).toBe(200);
    expect(cancel.json).toMatchObject({ job: { state: 'cancelled' } });
    const [done] = await depot.settled([job?.id ?? '']);
    expect(done?.state).toBe('cancelled');
    const partials = (await readdir(path.join(modelsRoot, '.cache', 'tmp'))).filter((n) => n.endsWith('.part'));
    expect(partials).toHaveLength(1);
    const missing = await httpRequest(`${server.url}/models/jobs/nope`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
  });

  test('refuses a download request from another origin before anything starts', async ({ server, depot }) => {
    const res = await postJson(server, '/models/download', { items: [] }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(depot.jobs()).toHaveLength(0);
  });
});

describe('Civitai downloads', () => {
  test('a login-only Civitai version downloads with the body token, sent to Civitai only, never to storage', async ({
    hub,
    server,
    depot,
    modelsRoot,
  }) => {
    const KEY = 'civitai_key_0123456789abcdef';
    hub.addCivitaiVersion({
      id: 4242,
      requiresAuth: 'login',
      tokensWithAccess: [KEY],
      files: [{ name: 'style.safetensors', size: SIZE }],
    });
    const sha256 = await hub.sha256Of({ versionId: 4242 });
    const item = {
      category: 'loras',
      filename: 'style.safetensors',
      sha256,
      urls: ['https://civitai.com/api/download/models/4242'],
      origin: 'dependencies',
    };
    const res = await postJson(server, '/models/download', { items: [item], tokens: { civitai: KEY } });
    const [job] = (res.json as { jobs: Job[] }).jobs;
    const [done] = await depot.settled([job?.id ?? '']);
    expect(done).toMatchObject({ state: 'complete', provider: 'civitai', bytes: SIZE });
    const authed = hub.requests.filter((r) => r.hasAuthorization || r.hasTokenQuery);
    expect(authed.length).toBeGreaterThan(0);
    expect(authed.every((r) => r.server === 'civitai')).toBe(true);
    expect(hub.requests.some((r) => r.server === 'storage')).toBe(true);
    const registry = await readFile(path.join(modelsRoot, '.registry', 'models.json'), 'utf8');
    expect(registry).toContain('https://civitai.com/api/download/models/4242');
    expect(registry).not.toContain(KEY);
  });
});
