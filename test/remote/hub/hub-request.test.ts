import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDepotError, type DepotError } from '../../../shared/errors';
import { defaultHubFetch } from '../../../sidecar/remote/hub/hub-fetch';
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
  const error: unknown = await hubRequest(
    url,
    {},
    { fetch: defaultHubFetch, retry: { limit: 0 }, sleep: async () => undefined },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDepotError(error)) throw new Error(`expected a DepotError, got ${String(error)}`);
  return error;
}

describe('hubRequest', () => {
  it('says NETWORK with the error code and the redacted URL when nothing listens, never the raw fetch text', async () => {
    const port = await closedPort();
    const error = await failureOf(`http://127.0.0.1:${port}/api/v1/model-versions/1?token=${SECRET}&type=Model`);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `Could not reach http://127.0.0.1:${port}/api/v1/model-versions/1?token=REDACTED&type=Model (ECONNREFUSED: nothing listens there). Check the connection and try again.`,
    );
    expect(error.details).toEqual({
      url: `http://127.0.0.1:${port}/api/v1/model-versions/1?token=REDACTED&type=Model`,
      code: 'ECONNREFUSED',
    });
    // Nothing of node-fetch's error travels with it: its text quotes the URL as given.
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(
      new RegExp(`${SECRET}|reason:`),
    );
  });

  it('keeps a URL with a password out of the message when fetch refuses it before connecting (no code)', async () => {
    const port = await closedPort();
    // node-fetch throws a TypeError quoting the whole URL, password included.
    const error = await failureOf(`http://user:${PASSWORD}@127.0.0.1:${port}/api/models?token=${SECRET}`);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `Could not reach http://127.0.0.1:${port}/api/models?token=REDACTED (no answer). Check the connection and try again.`,
    );
    expect(error.cause).toBeUndefined();
  });

  it('names a cut connection by its code, with the token parameter of the URL redacted', async () => {
    const server = await cuttingServer();
    try {
      const error = await failureOf(`http://127.0.0.1:${server.port}/api/models?token=${SECRET}`);
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(
        /^Could not reach http:\/\/127\.0\.0\.1:\d+\/api\/models\?token=REDACTED \(ECONNRESET: the connection was cut\)\. /,
      );
      expect(error.message).not.toContain(SECRET);
      expect(error.cause).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
