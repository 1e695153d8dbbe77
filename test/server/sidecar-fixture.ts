import { test as depotTest } from '../services/install-depot-fixture';
import type { CreateDepotOptions, Depot } from '../../sidecar/services/depot/create-depot';
import { createServer, type DepotServer } from '../../sidecar/server/create-server';
import { connectRecording, type RecordingClient } from './connect-recording';
import { httpRequest, type HttpAnswer } from './http-request';

export interface SidecarFixture {
  /** Extra createDepot options, set by a test with `test.scoped` or left empty. */
  depotOptions: Partial<CreateDepotOptions>;
  depot: Depot;
  server: DepotServer;
}

/**
 * A real sidecar (depot + HTTP/WebSocket server) on port 0, over the service fixture's temp dirs (`dir`,
 * `modelsRoot`, `hubDir`) and the fake hub (`hub`).
 */
export const test = depotTest.extend<SidecarFixture>({
  depotOptions: [{}, { injected: false }],
  depot: async ({ openDepot, depotOptions }, use) => {
    await use(await openDepot(depotOptions));
  },
  server: async ({ depot }, use) => {
    const server = await createServer({ depot, port: 0, version: 'test', progressIntervalMs: 50 });
    await use(server);
    await server.close();
  },
});

export function postJson(
  server: DepotServer,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
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
