import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDepotError, type DepotError } from '../../../shared/errors';
import { createHttpAgent } from '../../../sidecar/remote/http/create-http-agent';
import { hubRequest } from '../../../sidecar/remote/hub/hub-request';

const SECRET = 'civitaiQuerySecret00aa11bb22cc';
const PASSWORD = 'UserInfoPassw0rdZz9y8x';

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that takes each connection and cuts it without a word. */
async function cuttingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req) => req.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function failureOf(url: string): Promise<DepotError> {
  const error: unknown = await hubRequest(url, {}, { retry: { limit: 0 }, sleep: async () => undefined }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDepotError(error)) throw new Error(`expected a DepotError, got ${String(error)}`);
  return error;
}

/** A server that takes each request and never answers it. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('hubRequest', () => {
  it('says NETWORK naming the host when nothing listens, never the path or the query', async () => {
    const port = await closedPort();
    const error = await failureOf(`http://127.0.0.1:${port}/api/v1/model-versions/1?type=Model&secret=${SECRET}`);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `Could not connect to 127.0.0.1:${port}: nothing listens there (ECONNREFUSED). Check the address and try again.`,
    );
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(SECRET);
  });

  it('refuses a URL carrying a password or a token before connecting, without quoting either', async () => {
    const port = await closedPort();
    for (const url of [
      `http://user:${PASSWORD}@127.0.0.1:${port}/api/models`,
      `http://127.0.0.1:${port}/api/models?token=${SECRET}`,
    ]) {
      const error = await failureOf(url);
      expect(error.code).toBe('BAD_INPUT');
      expect(error.message).toMatch(/token settings/);
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(
        new RegExp(`${SECRET}|${PASSWORD}`),
      );
    }
  });

  it('names a cut connection by its code and host', async () => {
    const server = await cuttingServer();
    try {
      const error = await failureOf(`http://127.0.0.1:${server.port}/api/models`);
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(/^The connection to 127\.0\.0\.1:\d+ was cut before the answer was complete \(/);
    } finally {
      await server.close();
    }
  });

  it('gives up on a name that does not resolve after one retry at most, in one line naming the host', async () => {
    const waits: number[] = [];
    const started = performance.now();
    const error: unknown = await hubRequest(
      'http://no-such-host.invalid/api/models/org/repo',
      {},
      { sleep: async (ms) => void waits.push(ms), retry: { limit: 5 } },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isDepotError(error)) throw new Error(`expected a DepotError, got ${String(error)}`);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(/^Cannot resolve no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\); /);
    expect(error.message).not.toContain('\n');
    expect(waits.length).toBeLessThanOrEqual(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("fails a silent host with TIMEOUT after the agent's first-byte timeout, naming the phase", async () => {
    const server = await silentServer();
    const agent = createHttpAgent({ connectTimeoutMs: 300, headersTimeoutMs: 300, bodyTimeoutMs: 300 });
    try {
      const started = performance.now();
      const error: unknown = await hubRequest(
        `http://127.0.0.1:${server.port}/api/models/org/repo`,
        {},
        { agent, retry: { limit: 0 }, sleep: async () => undefined },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isDepotError(error)) throw new Error(`expected a DepotError, got ${String(error)}`);
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe(
        `127.0.0.1:${server.port} did not answer within 0.3 s (first-byte timeout); try again later.`,
      );
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await agent.destroy();
      await server.close();
    }
  });
});
