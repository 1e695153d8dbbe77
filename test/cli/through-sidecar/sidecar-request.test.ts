import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DepotError } from '../../../shared/errors';
import { sidecarRequest } from '../../../sidecar/cli/through-sidecar/sidecar-request';

/** A loopback server answering every request with `status` and `body`, for the time of `run`. */
async function withServer(status: number, body: string, run: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('sidecarRequest', () => {
  it('turns an error page that is not JSON into an HTTP_ERROR naming the status', async () => {
    await withServer(502, '<html>Bad Gateway</html>', async (url) => {
      const error = await sidecarRequest(
        { url, modelsRoot: '/models', headers: {} },
        { method: 'GET', path: '/models/stats', answer: z.object({}) },
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DepotError);
      expect(error).toMatchObject({ code: 'HTTP_ERROR', message: 'The sidecar answered /models/stats with HTTP 502.' });
    });
  });

  it('turns a success answer that is not JSON into an HTTP_ERROR about another version', async () => {
    await withServer(200, 'not json', async (url) => {
      const error = await sidecarRequest(
        { url, modelsRoot: '/models', headers: {} },
        { method: 'GET', path: '/models/stats', answer: z.object({}) },
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'HTTP_ERROR',
        message: expect.stringMatching(/^The sidecar's answer to \/models\/stats is not what/),
      });
    });
  });
});
