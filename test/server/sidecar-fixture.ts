import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base } from 'vitest';
import WebSocket from 'ws';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { createDepot, type CreateDepotOptions, type Depot } from '../../sidecar/services/create-depot';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { httpRequest, type HttpAnswer } from './http-request';

export interface SidecarFixture {
  dir: string;
  modelsRoot: string;
  hubDir: string;
  hub: FakeHub;
  /** Extra createDepot options, set by a test with `test.scoped` or left empty. */
  depotOptions: Partial<CreateDepotOptions>;
  depot: Depot;
  server: DepotServer;
}

/** A real sidecar (depot + HTTP/WebSocket server) on port 0, over real temp dirs, downloading from C's fake hub. */
export const test = base.extend<SidecarFixture>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-flow-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  modelsRoot: async ({ dir }, use) => {
    const root = path.join(dir, 'models');
    await mkdir(root, { recursive: true });
    await use(root);
  },
  hubDir: async ({ dir }, use) => {
    const hubDir = path.join(dir, 'hub');
    await mkdir(hubDir, { recursive: true });
    await use(hubDir);
  },
  hub: async ({}, use) => {
    const hub = await createFakeHub();
    await use(hub);
    await hub.close();
  },
  depotOptions: [{}, { injected: false }],
  depot: async ({ modelsRoot, hubDir, hub, dir, depotOptions }, use) => {
    const depot = await createDepot({
      modelsRoot,
      hubDirs: [hubDir],
      hfCacheDir: path.join(dir, 'hf-cache'),
      hfEndpoint: hub.hfUrl,
      civitaiEndpoint: hub.civitaiUrl,
      allowLoopbackHosts: true,
      indexInBackground: false,
      hashWorkers: 1,
      ...depotOptions,
    });
    await use(depot);
    await depot.close();
  },
  server: async ({ depot }, use) => {
    const server = await createServer({ depot, port: 0, version: 'test', progressIntervalMs: 50 });
    await use(server);
    await server.close();
  },
});

export function postJson(server: DepotServer, route: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return httpRequest(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** An open WebSocket with every message it received, parsed. */
export interface WsClient {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  /** Resolves with the first received (or already received) message that matches. */
  waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  close(): void;
}

export async function connectWs(server: DepotServer, headers: Record<string, string> = {}): Promise<WsClient> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { headers });
  const messages: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const parsed: unknown = JSON.parse(String(data));
    if (typeof parsed === 'object' && parsed !== null) messages.push({ ...parsed });
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    waitFor(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.find(match);
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching WebSocket message in ${timeoutMs} ms; got ${messages.map((m) => m.type).join(',')}`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      });
    },
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    close: () => ws.close(),
  };
}
