import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import WebSocket from 'ws';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { loadConfig } from '../../sidecar/config/load-config';
import { tempDir } from './security-fixture';

const COMFY = 'http://127.0.0.1:8188';
const EVIL = 'http://evil.example';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A raw request: fetch cannot set Host or Origin. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Opens `/ws` with the given headers: 'open', or the refusal's HTTP status. */
function tryWebSocket(
  server: DepotServer,
  headers: Record<string, string>,
): Promise<{ opened: boolean; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ opened: false, status: res.statusCode, body }));
    });
    ws.once('error', (error) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

const test = base.extend<{ dir: string; depot: Depot; server: DepotServer }>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const { dir, remove } = await tempDir('depot-sec-origin-');
    await use(dir);
    await remove();
  },
  depot: async ({ dir }, use) => {
    await mkdir(path.join(dir, 'models'));
    const depot = await createDepot({ modelsRoot: path.join(dir, 'models'), indexInBackground: false, hashWorkers: 1 });
    await use(depot);
    await depot.close();
  },
  server: async ({ depot }, use) => {
    const server = await createServer({ depot, port: 0, version: 'test', maxBodyBytes: 64 * 1024 });
    await use(server);
    await server.close();
  },
});

const ITEM = {
  category: 'loras',
  filename: 'x.safetensors',
  urls: ['https://huggingface.co/a/b/resolve/main/x.safetensors'],
  origin: 'dependencies',
};

describe('Origin and Host checks of the real server', () => {
  test('binds 127.0.0.1 by default, in createServer and in the config a first run writes', async ({ server, dir }) => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { config } = await loadConfig({ file: path.join(dir, 'config.json') });
    expect(config.host).toBe('127.0.0.1');
    expect(config.allowed_origins).toEqual(['http://127.0.0.1:8188', 'http://localhost:8188']);
  });

  test('refuses a WebSocket from Origin http://evil.example (and look-alikes), accepts ComfyUI and non-browser clients', async ({
    server,
  }) => {
    const refused = [
      EVIL,
      'null',
      'https://127.0.0.1:8188',
      'http://127.0.0.1:8189',
      'http://127.0.0.1:8188.evil.example',
      'http://localhost:8188@evil.example',
      'http://evil.example/http://127.0.0.1:8188',
      'file://',
    ];
    for (const origin of refused) {
      const answer = await tryWebSocket(server, { origin });
      expect(answer, origin).toMatchObject({ opened: false, status: 403 });
      expect(answer.body, origin).toMatch(/ORIGIN_REFUSED/);
    }
    expect(await tryWebSocket(server, { origin: COMFY })).toEqual({ opened: true });
    expect(await tryWebSocket(server, { origin: 'http://localhost:8188' })).toEqual({ opened: true });
    expect(await tryWebSocket(server, {})).toEqual({ opened: true });
  });

  test('refuses a WebSocket whose Host is attacker.example (DNS rebinding), even from an allowed Origin', async ({
    server,
  }) => {
    for (const host of [
      'attacker.example',
      `attacker.example:${server.port}`,
      `127.0.0.1.attacker.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
    ]) {
      const answer = await tryWebSocket(server, { host, origin: COMFY });
      expect(answer, host).toMatchObject({ opened: false, status: 403 });
    }
  });

  test('refuses POST /models/download from Origin http://evil.example before any job exists', async ({
    server,
    depot,
  }) => {
    const answer = await request(`${server.url}/models/download`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [ITEM], tokens: { huggingface: 'hf_x' } }),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: 'ORIGIN_REFUSED', message: expect.stringMatching(/allowed_origins/) },
    });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(depot.jobs()).toEqual([]);
    // A "simple" cross-site form post (text/plain, no preflight) is refused the same way.
    const form = await request(`${server.url}/models/download`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'text/plain' },
      body: JSON.stringify({ items: [ITEM] }),
    });
    expect(form.status).toBe(403);
    expect(depot.jobs()).toEqual([]);
  });

  test('refuses every state-changing route and preflight from a foreign Origin', async ({ server }) => {
    const calls = [
      { method: 'POST', path: '/models/check-dependencies', body: '{"dependencies":{}}' },
      { method: 'DELETE', path: '/models/jobs/any' },
      { method: 'PUT', path: '/models/jobs/any' },
      { method: 'PATCH', path: '/models' },
      { method: 'OPTIONS', path: '/models/download' },
    ];
    for (const call of calls) {
      const answer = await request(`${server.url}${call.path}`, {
        method: call.method,
        headers: { origin: EVIL, 'content-type': 'application/json', 'access-control-request-method': 'POST' },
        body: call.body,
      });
      expect(answer.status, `${call.method} ${call.path}`).toBe(403);
      expect(answer.headers['access-control-allow-origin'], `${call.method} ${call.path}`).toBeUndefined();
    }
  });

  test('refuses Host: attacker.example on every route, reads included', async ({ server, depot }) => {
    for (const [method, route] of [
      ['GET', '/health'],
      ['GET', '/models/jobs'],
      ['GET', '/models'],
      ['POST', '/models/download'],
    ] as const) {
      const answer = await request(`${server.url}${route}`, {
        method,
        headers: { host: 'attacker.example', 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ items: [ITEM] }) : undefined,
      });
      expect(answer.status, `${method} ${route}`).toBe(403);
      expect(answer.text).toMatch(/DNS-rebinding/);
    }
    const withPort = await request(`${server.url}/health`, { headers: { host: `attacker.example:${server.port}` } });
    expect(withPort.status).toBe(403);
    expect(depot.jobs()).toEqual([]);
    expect((await request(`${server.url}/health`, { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  test('sends CORS headers only to allowed origins', async ({ server }) => {
    const allowed = await request(`${server.url}/health`, { headers: { origin: COMFY } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(COMFY);
    expect(allowed.headers.vary).toMatch(/Origin/);
    const preflight = await request(`${server.url}/models/download`, {
      method: 'OPTIONS',
      headers: {
        origin: COMFY,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(COMFY);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    // A foreign page may send a GET (browsers allow it), but it cannot read the answer: no CORS header, never `*`.
    for (const origin of [EVIL, 'null']) {
      const read = await request(`${server.url}/models/jobs`, { headers: { origin } });
      expect(read.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    const none = await request(`${server.url}/health`);
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a configured remote ComfyUI origin is allowed, the defaults then are not', async ({ depot }) => {
    const server = await createServer({ depot, port: 0, version: 'test', allowedOrigins: ['http://comfy.lan:8188'] });
    try {
      expect(await tryWebSocket(server, { origin: 'http://comfy.lan:8188' })).toEqual({ opened: true });
      expect(await tryWebSocket(server, { origin: COMFY })).toMatchObject({ opened: false, status: 403 });
      const post = await request(`${server.url}/models/check-dependencies`, {
        method: 'POST',
        headers: { origin: COMFY, 'content-type': 'application/json' },
        body: '{"dependencies":{}}',
      });
      expect(post.status).toBe(403);
    } finally {
      await server.close();
    }
  });

  test('serves a LAN ComfyUI whose host names are in allowed_hosts, and still refuses Host: attacker.example', async ({
    depot,
    dir,
  }) => {
    const file = path.join(dir, 'lan-config.json');
    await writeFile(
      file,
      JSON.stringify({
        allowed_hosts: ['depot.lan', '192.168.1.20', 'FE80::1'],
        allowed_origins: ['http://comfy.lan:8188'],
      }),
    );
    const { config } = await loadConfig({ file });
    // As serve wires it: allowed_hosts becomes the guard's extra Host names.
    const server = await createServer({
      depot,
      port: 0,
      version: 'test',
      allowedOrigins: config.allowed_origins,
      extraHosts: config.allowed_hosts,
    });
    try {
      for (const host of [
        `depot.lan:${server.port}`,
        `DEPOT.LAN:${server.port}`,
        `192.168.1.20:${server.port}`,
        `[fe80::1]:${server.port}`,
        `127.0.0.1:${server.port}`,
      ]) {
        expect((await request(`${server.url}/health`, { headers: { host } })).status, host).toBe(200);
      }
      expect(await tryWebSocket(server, { host: `depot.lan:${server.port}`, origin: 'http://comfy.lan:8188' })).toEqual(
        { opened: true },
      );
      const post = await request(`${server.url}/models/check-dependencies`, {
        method: 'POST',
        headers: {
          host: `192.168.1.20:${server.port}`,
          origin: 'http://comfy.lan:8188',
          'content-type': 'application/json',
        },
        body: '{"dependencies":{}}',
      });
      expect(post.status, post.text).toBe(200);
      for (const host of [
        'attacker.example',
        `attacker.example:${server.port}`,
        `depot.lan.attacker.example:${server.port}`,
        `depot.lan:${server.port + 1}`,
      ]) {
        expect((await request(`${server.url}/health`, { headers: { host } })).status, host).toBe(403);
        expect(await tryWebSocket(server, { host, origin: 'http://comfy.lan:8188' }), host).toMatchObject({
          opened: false,
          status: 403,
        });
      }
    } finally {
      await server.close();
    }
  });

  test('without allowed_hosts (the default) a LAN host name is refused', async ({ server, dir }) => {
    const { config } = await loadConfig({ file: path.join(dir, 'config.json') });
    expect(config.allowed_hosts).toEqual([]);
    expect((await request(`${server.url}/health`, { headers: { host: `depot.lan:${server.port}` } })).status).toBe(403);
  });

  test('limits body size: a body over the limit is a 413 with a sentence, nothing started', async ({
    server,
    depot,
  }) => {
    const big = JSON.stringify({ items: [{ ...ITEM, displayName: 'x'.repeat(100 * 1024) }] });
    const answer = await request(`${server.url}/models/download`, {
      method: 'POST',
      headers: { origin: COMFY, 'content-type': 'application/json' },
      body: big,
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: 'BAD_INPUT', message: expect.stringMatching(/over/) },
    });
    expect(depot.jobs()).toEqual([]);
  });
});
