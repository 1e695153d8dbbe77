import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { createDepot, type CreateDepotOptions, type Depot } from '../../sidecar/services/create-depot';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { connectRecording, type RecordingClient } from './connect-recording';
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

/** A WebSocket client on the server's `/ws`, recording every frame and parsed message. */
export function connectWs(server: DepotServer, headers: Record<string, string> = {}): Promise<RecordingClient> {
  return connectRecording(`${server.url.replace('http', 'ws')}/ws`, headers);
}
