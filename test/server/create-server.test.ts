import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import WebSocket from 'ws';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { httpRequest } from './http-request';

const test = base.extend<{ modelsRoot: string; depot: Depot; server: DepotServer }>({
  modelsRoot: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-server-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  depot: async ({ modelsRoot }, use) => {
    const depot = await createDepot({ modelsRoot });
    await use(depot);
    await depot.close();
  },
  server: async ({ depot }, use) => {
    const server = await createServer({ depot, port: 0, version: '9.9.9' });
    await use(server);
    await server.close();
  },
});

function openWs(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('createServer', () => {
  test('answers GET /health with ok and the version', async ({ server }) => {
    const res = await httpRequest(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, version: '9.9.9' });
  });

  test('binds 127.0.0.1 by default', async ({ depot }) => {
    const server = await createServer({ depot, port: 0, version: '1' });
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await server.close();
  });

  test('refuses a foreign Host (DNS rebinding) with 403', async ({ server }) => {
    const res = await httpRequest(`${server.url}/health`, { headers: { host: 'attacker.example' } });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: { code: 'ORIGIN_REFUSED' } });
    const withPort = await httpRequest(`${server.url}/models/stats`, {
      headers: { host: `attacker.example:${server.port}` },
    });
    expect(withPort.status).toBe(403);
  });

  test('accepts localhost and [::1] as Host names', async ({ server }) => {
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, `127.0.0.1:${server.port}`]) {
      const res = await httpRequest(`${server.url}/health`, { headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });

  test('refuses POST /models/download from Origin evil.example', async ({ server }) => {
    const res = await httpRequest(`${server.url}/models/download`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ items: [] }),
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: { code: 'ORIGIN_REFUSED' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('sends CORS headers to an allowed origin only, preflight included', async ({ server }) => {
    const allowed = await httpRequest(`${server.url}/models/download`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8188', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8188');
    const evil = await httpRequest(`${server.url}/models/download`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const get = await httpRequest(`${server.url}/health`, { headers: { origin: 'http://evil.example' } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('answers malformed JSON with 400 and a body over the limit with 413, then keeps serving', async ({ depot }) => {
    const server = await createServer({ depot, port: 0, version: '1', maxBodyBytes: 1024 * 1024 });
    const bad = await httpRequest(`${server.url}/models/check-dependencies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"workflow": hf_secret_token_here',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'BAD_INPUT', message: expect.stringMatching(/not valid JSON/) } });
    expect(bad.text).not.toContain('hf_secret');
    const big = await httpRequest(`${server.url}/models/check-dependencies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ junk: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error: { message: expect.stringMatching(/over 1 MB/) } });
    expect((await httpRequest(`${server.url}/health`)).status).toBe(200);
    await server.close();
  });

  test('answers an unknown route with 404 and a JSON error', async ({ server }) => {
    const res = await httpRequest(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  test('refuses a WebSocket from Origin evil.example and from Host attacker.example', async ({ server }) => {
    const wsUrl = `${server.url.replace('http', 'ws')}/ws`;
    await expect(openWs(wsUrl, { origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/);
    await expect(openWs(wsUrl, { host: 'attacker.example' })).rejects.toThrow(/HTTP 403/);
    const { ws, first } = await openWs(wsUrl, { origin: 'http://localhost:8188' });
    expect(first).toMatchObject({ type: 'hello', version: '9.9.9', jobs: [] });
    ws.close();
  });

  test('answers bad WebSocket messages with an error and keeps the connection up', async ({ server }) => {
    const { ws } = await openWs(`${server.url.replace('http', 'ws')}/ws`);
    const bad = ['not json', '{"type":"nope"}', '{"type":"install","id":"x","items":"no"}', '42', 'null'];
    for (const text of bad) {
      ws.send(text);
      expect(await nextMessage(ws), text).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
    }
    ws.send(JSON.stringify({ type: 'install', id: 'i1', items: 'no' }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', id: 'i1' });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

describe('createServer limits', () => {
  test('answers a WebSocket message over the size limit with an error and keeps the connection', async ({ depot }) => {
    const server = await createServer({ depot, port: 0, version: '1', maxBodyBytes: 64 * 1024 });
    const { ws } = await openWs(`${server.url.replace('http', 'ws')}/ws`);
    ws.send(JSON.stringify({ type: 'check', id: 'big', workflow: { junk: 'x'.repeat(100 * 1024) } }));
    expect(await nextMessage(ws)).toMatchObject({
      type: 'error',
      error: { code: 'BAD_INPUT', message: expect.stringMatching(/over 65536 bytes/) },
    });
    ws.send(JSON.stringify({ type: 'check', id: 'small', dependencies: {} }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'checkResult', id: 'small' });
    ws.close();
    await server.close();
  });
});
