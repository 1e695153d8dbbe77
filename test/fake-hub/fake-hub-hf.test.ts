import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { describe, expect } from 'vitest';
import { test } from './fake-hub-fixture';
import type { FakeHub } from './create-fake-hub';

const MiB = 1024 * 1024;

function addModelRepo(hub: FakeHub): void {
  hub.addRepo({
    id: 'org/model',
    files: [
      { path: 'model.safetensors', size: 12 * MiB },
      { path: 'config.json', content: '{"hidden_size":8}' },
      { path: 'sub/dir/vae.safetensors', size: 3000 },
    ],
  });
}

async function sha256OfResponse(response: Response): Promise<string> {
  return createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex');
}

describe('fake hub: HuggingFace resolve', () => {
  test('answers an LFS file with a 302 to the CDN on another hostname, with X-Linked-* and X-Repo-Commit', async ({
    hub,
  }) => {
    addModelRepo(hub);
    const sha256 = await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' });
    for (const method of ['HEAD', 'GET']) {
      const res = await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { method, redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.origin).toBe(hub.cdnUrl);
      expect(location.hostname).not.toBe(new URL(hub.hfUrl).hostname);
      expect(location.searchParams.get('Expires')).toMatch(/^\d+$/);
      expect(location.searchParams.get('Signature')).toBeTruthy();
      expect(res.headers.get('x-linked-etag')).toBe(`"${sha256}"`);
      expect(res.headers.get('x-linked-size')).toBe(String(12 * MiB));
      expect(res.headers.get('x-repo-commit')).toBe(hub.commitOf('org/model'));
      expect(res.headers.get('x-xet-hash')).toBeNull();
      expect(Number(res.headers.get('content-length'))).not.toBe(12 * MiB);
      const body = await res.text();
      expect(body.length).toBe(method === 'GET' ? Number(res.headers.get('content-length')) : 0);
    }
  });

  test('the CDN serves the bytes, 206 for a Range, 416 past the end, an ETag that is not the SHA-256', async ({
    hub,
  }) => {
    addModelRepo(hub);
    const sha256 = await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' });
    const cdn =
      (await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { redirect: 'manual' })).headers.get('location') ??
      '';
    const full = await fetch(cdn);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-length')).toBe(String(12 * MiB));
    const etag = full.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    expect(etag).not.toContain(sha256);
    expect(await sha256OfResponse(full)).toBe(sha256);

    const part = await fetch(cdn, { headers: { Range: 'bytes=1048570-1048579' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1048570-1048579/${12 * MiB}`);
    expect(part.headers.get('content-length')).toBe('10');
    const whole = Buffer.from(await (await fetch(cdn)).arrayBuffer());
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(1048570, 1048580));

    const past = await fetch(cdn, { headers: { Range: `bytes=${12 * MiB}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${12 * MiB}`);
    await past.arrayBuffer();
  });

  test('the CDN refuses a URL whose signature was dropped', async ({ hub }) => {
    addModelRepo(hub);
    const cdn = new URL(
      (await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { redirect: 'manual' })).headers.get('location') ??
        '',
    );
    const res = await fetch(`${cdn.origin}${cdn.pathname}`);
    expect(res.status).toBe(403);
    await res.text();
  });

  test('honours If-Range: the same ETag gives 206, a changed file gives the whole new file (200)', async ({ hub }) => {
    addModelRepo(hub);
    const cdn =
      (await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { redirect: 'manual' })).headers.get('location') ??
      '';
    const first = await fetch(cdn, { method: 'HEAD' });
    const etag = first.headers.get('etag') ?? '';
    const same = await fetch(cdn, { headers: { Range: 'bytes=100-', 'If-Range': etag } });
    expect(same.status).toBe(206);
    await same.arrayBuffer();
    hub.changeContent({ repoId: 'org/model', path: 'model.safetensors', seed: 'v2' });
    const changed = await fetch(cdn, { headers: { Range: 'bytes=100-', 'If-Range': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await sha256OfResponse(changed)).toBe(
      await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' }),
    );
  });

  test('answers a regular file with a 307 to a relative resolve-cache URL, then 200/206 with a quoted git sha1 ETag', async ({
    hub,
  }) => {
    addModelRepo(hub);
    const content = '{"hidden_size":8}';
    const gitSha1 = createHash('sha1').update(`blob ${content.length}\0${content}`).digest('hex');
    const res = await fetch(hub.resolveUrl('org/model', 'config.json'), { redirect: 'manual' });
    expect(res.status).toBe(307);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/api\/resolve-cache\/models\/org\/model\/[0-9a-f]{40}\/config\.json\?/);
    await res.text();
    const final = await fetch(new URL(location, hub.hfUrl));
    expect(final.status).toBe(200);
    expect(final.headers.get('etag')).toBe(`"${gitSha1}"`);
    expect(final.headers.get('content-length')).toBe(String(content.length));
    expect(final.headers.get('accept-ranges')).toBe('bytes');
    expect(final.headers.get('x-repo-commit')).toBe(hub.commitOf('org/model'));
    expect(await final.text()).toBe(content);
    const part = await fetch(new URL(location, hub.hfUrl), { headers: { Range: 'bytes=2-7' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe(content.slice(2, 8));
  });

  test('accepts datasets/ and spaces/ prefixes and a percent-encoded revision', async ({ hub }) => {
    hub.addRepo({
      id: 'org/data',
      type: 'dataset',
      aliases: ['refs/pr/1'],
      files: [{ path: 'train/part.parquet', size: 20 * MiB }],
    });
    hub.addRepo({ id: 'org/app', type: 'space', files: [{ path: 'app.py', content: 'print(1)' }] });
    const dataset = await fetch(
      hub.resolveUrl('org/data', 'train/part.parquet', { type: 'dataset', revision: 'refs/pr/1' }),
      { method: 'HEAD', redirect: 'manual' },
    );
    expect(hub.resolveUrl('org/data', 'x', { type: 'dataset', revision: 'refs/pr/1' })).toContain(
      '/datasets/org/data/resolve/refs%2Fpr%2F1/',
    );
    expect(dataset.status).toBe(302);
    const space = await fetch(hub.resolveUrl('org/app', 'app.py', { type: 'space' }), { redirect: 'manual' });
    expect(space.status).toBe(307);
    expect(space.headers.get('location')).toMatch(/^\/api\/resolve-cache\/spaces\/org\/app\//);
    await space.text();
  });
});

describe('fake hub: HuggingFace names', () => {
  test('serves a file whose path has spaces and non-ASCII characters', async ({ hub }) => {
    hub.addRepo({ id: 'org/names', files: [{ path: 'loras/モデル v1.safetensors', size: 64 }] });
    const res = await fetch(hub.resolveUrl('org/names', 'loras/モデル v1.safetensors'));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(64);
    expect(hub.requests[0].path).toBe('/org/names/resolve/main/loras/%E3%83%A2%E3%83%87%E3%83%AB%20v1.safetensors');
  });
});

describe('fake hub: HuggingFace errors', () => {
  test('answers EntryNotFound and RevisionNotFound with X-Error-Code and a JSON body', async ({ hub }) => {
    addModelRepo(hub);
    const entry = await fetch(hub.resolveUrl('org/model', 'nope.bin'), { method: 'HEAD' });
    expect(entry.status).toBe(404);
    expect(entry.headers.get('x-error-code')).toBe('EntryNotFound');
    expect(entry.headers.get('x-repo-commit')).toBe(hub.commitOf('org/model'));
    const revision = await fetch(hub.resolveUrl('org/model', 'config.json', { revision: 'nobranch' }));
    expect(revision.status).toBe(404);
    expect(revision.headers.get('x-error-code')).toBe('RevisionNotFound');
    expect(await revision.json()).toEqual({ error: 'Invalid rev id: nobranch' });
  });

  test('a gated repository: 401 without a token, 403 naming the access page with a token lacking the grant, 302 with it', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: ['hf_granted'],
      files: [{ path: 'm.safetensors', size: 1000 }],
    });
    const url = hub.resolveUrl('org/gated', 'm.safetensors');
    const none = await fetch(url, { method: 'HEAD', redirect: 'manual' });
    expect(none.status).toBe(401);
    expect(none.headers.get('x-error-code')).toBe('GatedRepo');
    expect(none.headers.get('x-error-message')).toMatch(/must have access to it and be authenticated/);
    const denied = await fetch(url, {
      redirect: 'manual',
      headers: { Authorization: 'Bearer hf_valid_without_grant' },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-error-code')).toBe('GatedRepo');
    const { error } = (await denied.json()) as { error: string };
    expect(error).toContain(`Visit ${hub.hfUrl}/org/gated to ask for access.`);
    const granted = await fetch(url, {
      method: 'HEAD',
      redirect: 'manual',
      headers: { Authorization: 'Bearer hf_granted' },
    });
    expect(granted.status).toBe(302);
  });

  test('refuses an unknown token with 401 "Invalid credentials in Authorization header"', async ({ hub }) => {
    addModelRepo(hub);
    const res = await fetch(hub.resolveUrl('org/model', 'config.json'), {
      headers: { Authorization: 'Bearer hf_bogus' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-error-message')).toBe('Invalid credentials in Authorization header');
    expect(await res.json()).toEqual({ error: 'Invalid credentials in Authorization header' });
  });

  test('refuses an unknown token with 401 "Invalid credentials" even on a missing repository', async ({ hub }) => {
    const res = await fetch(hub.resolveUrl('org/missing', 'config.json'), {
      headers: { Authorization: 'Bearer hf_bogus' },
    });
    expect(await answerOf(res)).toEqual({
      ...ANONYMOUS,
      message: 'Invalid credentials in Authorization header',
      wwwAuthenticate: null,
      body: { error: 'Invalid credentials in Authorization header' },
    });
  });

  test('a 429 fault carries RateLimit and RateLimit-Policy, then the hub recovers', async ({ hub }) => {
    addModelRepo(hub);
    hub.setFault({ kind: 'fail', status: 429, server: 'hf', resetSeconds: 7, times: 1 });
    const limited = await fetch(hub.resolveUrl('org/model', 'config.json'), { method: 'HEAD', redirect: 'manual' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit')).toBe('"resolvers";r=0;t=7');
    expect(limited.headers.get('ratelimit-policy')).toBe('"fixed window";"resolvers";q=3000;w=300');
    const next = await fetch(hub.resolveUrl('org/model', 'config.json'), { method: 'HEAD', redirect: 'manual' });
    expect(next.status).toBe(307);
  });
});

describe('fake hub: HuggingFace API', () => {
  test('lists a tree recursively with absolute Link pagination and lfs.oid = SHA-256', async ({ hub }) => {
    hub.addRepo({
      id: 'org/many',
      files: Array.from({ length: 25 }, (_, i) => ({
        path: `loras/l${String(i).padStart(2, '0')}.safetensors`,
        size: 100 + i,
      })),
    });
    const seen: Array<Record<string, unknown>> = [];
    let url: string | undefined = `${hub.hfUrl}/api/models/org/many/tree/main?recursive=true&expand=false&limit=10`;
    let pages = 0;
    while (url !== undefined) {
      const res: Response = await fetch(url);
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as Array<Record<string, unknown>>));
      pages += 1;
      const link = res.headers.get('link');
      url = link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      if (url !== undefined) expect(url.startsWith(`${hub.hfUrl}/api/models/org/many/tree/main?`)).toBe(true);
    }
    expect(pages).toBe(3);
    expect(seen[0]).toMatchObject({ type: 'directory', path: 'loras', size: 0 });
    expect(seen).toHaveLength(26);
    const first = seen[1];
    expect(first).toMatchObject({ type: 'file', path: 'loras/l00.safetensors', size: 100 });
    expect(first.lfs).toEqual({
      oid: await hub.sha256Of({ repoId: 'org/many', path: 'loras/l00.safetensors' }),
      size: 100,
      pointerSize: expect.any(Number),
    });
  });

  test('lists one folder (raw or %2F-encoded path) without recursion, 404 EntryNotFound for a missing folder', async ({
    hub,
  }) => {
    addModelRepo(hub);
    for (const path of ['sub', 'sub%2Fdir', 'sub/dir']) {
      const res = await fetch(`${hub.hfUrl}/api/models/org/model/tree/main/${path}`);
      expect(res.status).toBe(200);
      const entries = (await res.json()) as Array<{ path: string; type: string }>;
      expect(entries.length).toBe(1);
    }
    const missing = await fetch(`${hub.hfUrl}/api/models/org/model/tree/main/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-error-code')).toBe('EntryNotFound');
    await missing.text();
  });

  test('answers paths-info with a JSON body and with a form body', async ({ hub }) => {
    addModelRepo(hub);
    const url = `${hub.hfUrl}/api/models/org/model/paths-info/main`;
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paths: ['config.json', 'sub', 'nope'] }),
    });
    expect(((await json.json()) as Array<{ path: string }>).map((e) => e.path)).toEqual(['config.json', 'sub']);
    const form = new URLSearchParams();
    form.append('paths', 'model.safetensors');
    form.append('paths', 'config.json');
    const urlencoded = await fetch(url, { method: 'POST', body: form });
    const entries = (await urlencoded.json()) as Array<{ path: string; lfs?: { oid: string } }>;
    expect(entries.map((e) => e.path)).toEqual(['model.safetensors', 'config.json']);
    expect(entries[0].lfs?.oid).toBe(await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' }));
  });

  test('answers model info with siblings, and sizes and lfs.sha256 with blobs=true', async ({ hub }) => {
    hub.addRepo({ id: 'org/gated', gated: 'auto', files: [{ path: 'm.safetensors', size: 1000 }] });
    const plain = (await (await fetch(`${hub.hfUrl}/api/models/org/gated`)).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({
      id: 'org/gated',
      gated: 'auto',
      private: false,
      sha: hub.commitOf('org/gated'),
      siblings: [{ rfilename: 'm.safetensors' }],
    });
    const blobs = (await (await fetch(`${hub.hfUrl}/api/models/org/gated/revision/main?blobs=true`)).json()) as {
      siblings: unknown[];
    };
    expect(blobs.siblings[0]).toMatchObject({
      rfilename: 'm.safetensors',
      size: 1000,
      lfs: { sha256: await hub.sha256Of({ repoId: 'org/gated', path: 'm.safetensors' }), size: 1000 },
    });
  });
});

describe('fake hub: faults and the request log', () => {
  async function cdnUrlOf(hub: FakeHub): Promise<string> {
    const res = await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { redirect: 'manual' });
    await res.text();
    return res.headers.get('location') ?? '';
  }

  /** Reads a body with node:http, reporting whether the connection ended early. */
  function download(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; bytes: Buffer; aborted: boolean }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), aborted: false }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), aborted: true }));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), aborted: true }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('drops the connection after N bytes once, and counts only the bytes sent', async ({ hub }) => {
    addModelRepo(hub);
    const cdn = await cdnUrlOf(hub);
    hub.setFault({ kind: 'drop-after', bytes: 5 * MiB, server: 'cdn', times: 1 });
    const cut = await download(cdn);
    expect(cut.aborted).toBe(true);
    expect(cut.bytes.length).toBe(5 * MiB);
    const again = await download(cdn);
    expect(again.aborted).toBe(false);
    expect(again.bytes.length).toBe(12 * MiB);
    expect(hub.bytesServed({ server: 'cdn' })).toBe(17 * MiB);
  });

  test('ignores Range when asked to, corrupts one byte, and fails N times before recovering', async ({ hub }) => {
    addModelRepo(hub);
    const cdn = await cdnUrlOf(hub);
    const sha256 = await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' });
    hub.setFault({ kind: 'ignore-range', file: 'model.safetensors', times: 1 });
    const ignored = await download(cdn, { Range: 'bytes=100-' });
    expect(ignored.status).toBe(200);
    expect(ignored.bytes.length).toBe(12 * MiB);
    hub.setFault({ kind: 'corrupt', offset: 4321, times: 1 });
    const corrupt = await download(cdn);
    expect(createHash('sha256').update(corrupt.bytes).digest('hex')).not.toBe(sha256);
    expect(corrupt.bytes[4321] ^ ignored.bytes[4321]).toBe(0xff);
    hub.setFault({ kind: 'fail', status: 503, server: 'cdn', times: 2 });
    expect((await download(cdn)).status).toBe(503);
    expect((await download(cdn)).status).toBe(503);
    expect((await download(cdn)).status).toBe(200);
  });

  test('stalls after N bytes with the socket open, and serves slowly at the given rate', async ({ hub }) => {
    hub.addRepo({ id: 'org/model', files: [{ path: 'model.safetensors', size: 2 * MiB }] });
    const cdn = await cdnUrlOf(hub);
    hub.setFault({ kind: 'stall-after', bytes: 1000, times: 1 });
    const controller = new AbortController();
    const res = await fetch(cdn, { signal: controller.signal });
    const reader = res.body?.getReader();
    let received = 0;
    const reading = (async () => {
      for (;;) {
        const { done, value } = (await reader?.read()) ?? { done: true, value: undefined };
        if (done) return;
        received += value.length;
      }
    })().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toBe(1000);
    controller.abort();
    await reading;

    hub.setFault({ kind: 'slow', bytesPerSecond: 2 * MiB, times: 1 });
    const started = Date.now();
    const slow = await download(cdn);
    expect(slow.bytes.length).toBe(2 * MiB);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
  });

  test('change-content drops the transfer at N bytes and gives the file new bytes: a resume with If-Range gets all of them', async ({
    hub,
  }) => {
    addModelRepo(hub);
    const cdn = await cdnUrlOf(hub);
    const before = await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' });
    const commit = hub.commitOf('org/model');
    hub.setFault({ kind: 'change-content', afterBytes: 3 * MiB, seed: 'v2', times: 1 });
    const first = await fetch(cdn);
    const etag = first.headers.get('etag') ?? '';
    await expect(first.arrayBuffer()).rejects.toThrow();
    const after = await hub.sha256Of({ repoId: 'org/model', path: 'model.safetensors' });
    expect(after).not.toBe(before);
    expect(hub.commitOf('org/model')).not.toBe(commit);
    const resumed = await download(cdn, { Range: `bytes=${3 * MiB}-`, 'If-Range': etag });
    expect(resumed.status).toBe(200);
    expect(createHash('sha256').update(resumed.bytes).digest('hex')).toBe(after);
  });

  test('a redirect fault sends the client wherever the test says', async ({ hub }) => {
    addModelRepo(hub);
    hub.setFault({
      kind: 'redirect',
      location: 'http://evil.example/x.safetensors',
      server: 'hf',
      file: 'model.safetensors',
      times: 1,
    });
    const res = await fetch(hub.resolveUrl('org/model', 'model.safetensors'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://evil.example/x.safetensors');
    await res.text();
  });

  test('records host, path, status, range and whether Authorization was sent, never the token', async ({ hub }) => {
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: ['hf_secret_token'],
      files: [{ path: 'm.safetensors', size: 1000 }],
    });
    const res = await fetch(hub.resolveUrl('org/gated', 'm.safetensors'), {
      headers: { Authorization: 'Bearer hf_secret_token', Range: 'bytes=10-' },
    });
    expect(res.status).toBe(206);
    await res.arrayBuffer();
    const [resolve, cdn] = hub.requests;
    expect(resolve).toMatchObject({
      server: 'hf',
      method: 'GET',
      path: '/org/gated/resolve/main/m.safetensors',
      status: 302,
      hasAuthorization: true,
      authScheme: 'Bearer',
      tokenKnown: true,
      range: 'bytes=10-',
    });
    expect(cdn).toMatchObject({
      server: 'cdn',
      host: new URL(hub.cdnUrl).host,
      status: 206,
      hasAuthorization: false,
      bytesSent: 990,
      file: 'm.safetensors',
    });
    expect(JSON.stringify(hub.requests)).not.toContain('hf_secret_token');
    hub.resetLog();
    expect(hub.requests).toHaveLength(0);
  });
});

/** What a client sees of an HF error answer (the request id aside). */
async function answerOf(res: Response) {
  return {
    status: res.status,
    code: res.headers.get('x-error-code'),
    message: res.headers.get('x-error-message'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
    body: res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : await res.text(),
  };
}

/** Missing, or private without access, asked without a token: the Hub's bare 401 (no X-Error-Code). */
const ANONYMOUS = {
  status: 401,
  code: null,
  message: 'Invalid username or password.',
  wwwAuthenticate: 'Bearer realm="Authentication required", charset="UTF-8"',
  body: { error: 'Invalid username or password.' },
};
/** The same, asked with a valid token: 404 RepoNotFound. */
const WITH_TOKEN = {
  status: 404,
  code: 'RepoNotFound',
  message: 'Repository not found',
  wwwAuthenticate: null,
  body: { error: 'Repository not found' },
};

describe('fake hub: a missing or private repository answers as the Hub does', () => {
  const urls = (hub: FakeHub, id: string): string[] => [
    hub.resolveUrl(id, 'a.json'),
    `${hub.hfUrl}/api/models/${id}/tree/main`,
    `${hub.hfUrl}/api/models/${id}?blobs=true`,
    `${hub.hfUrl}/api/models/${id}/revision/main`,
  ];
  const addPrivate = (hub: FakeHub) =>
    hub.addRepo({
      id: 'org/private',
      private: true,
      tokensWithAccess: ['hf_owner'],
      files: [{ path: 'a.json', content: '{}' }],
    });

  test('a missing repository without a token: bare 401 "Invalid username or password." on resolve and API routes', async ({
    hub,
  }) => {
    for (const url of urls(hub, 'org/missing'))
      expect(await answerOf(await fetch(url, { redirect: 'manual' }))).toEqual(ANONYMOUS);
  });

  test('a private repository without a token: the same bare 401, so it cannot be told from a missing one', async ({
    hub,
  }) => {
    addPrivate(hub);
    for (const url of urls(hub, 'org/private'))
      expect(await answerOf(await fetch(url, { redirect: 'manual' }))).toEqual(ANONYMOUS);
  });

  test('a missing repository with a valid token: 404 RepoNotFound "Repository not found"', async ({ hub }) => {
    const headers = { Authorization: 'Bearer hf_valid_without_grant' };
    for (const url of urls(hub, 'org/missing'))
      expect(await answerOf(await fetch(url, { headers, redirect: 'manual' }))).toEqual(WITH_TOKEN);
  });

  test('a private repository with a valid token lacking access: the same 404 RepoNotFound', async ({ hub }) => {
    addPrivate(hub);
    const headers = { Authorization: 'Bearer hf_valid_without_grant' };
    for (const url of urls(hub, 'org/private'))
      expect(await answerOf(await fetch(url, { headers, redirect: 'manual' }))).toEqual(WITH_TOKEN);
  });

  test('a private repository with a granted token answers normally', async ({ hub }) => {
    addPrivate(hub);
    const headers = { Authorization: 'Bearer hf_owner' };
    expect(
      (await fetch(hub.resolveUrl('org/private', 'a.json'), { method: 'HEAD', headers, redirect: 'manual' })).status,
    ).toBe(307);
    const tree = await fetch(`${hub.hfUrl}/api/models/org/private/tree/main`, { headers });
    expect(tree.status).toBe(200);
    await tree.text();
  });
});
