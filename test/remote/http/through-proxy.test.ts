import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import { describe, expect } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { requestBounded } from '../../../sidecar/remote/http/request-bounded';
import { requestDownload } from '../../../sidecar/remote/http/request-download';
import { messageOf, rejection } from '../fixtures/loopback-servers';
import { test } from './fixtures/http-test-context';
import { MemoryRing } from './fixtures/memory-ring';
import { freePort } from './fixtures/tinyproxy';

const TOKEN = 'hf_proxytestTOKENabcdefghijklmnop';

async function depotFailure(promise: Promise<unknown>): Promise<DepotError> {
  const error = await rejection(promise);
  if (!(error instanceof DepotError)) throw new Error(`expected a DepotError, got ${messageOf(error)}`);
  return error;
}

/** A hub's resolve route: a gated file (401 without the token) answered with a 302 to another host's CDN. */
function gatedHub(cdnUrl: () => string): http.RequestListener {
  return (request, response) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'x-error-code': 'GatedRepo' });
      response.end('{"error":"gated"}');
      return;
    }
    response.writeHead(302, {
      location: cdnUrl(),
      'x-linked-etag': '"abc123"',
      'x-linked-size': '300000',
      'content-length': 0,
    });
    response.end();
  };
}

describe('requests through a proxy (a real tinyproxy)', () => {
  test('a check-like HEAD and a gated download go through HTTPS_PROXY; the token reaches only the hub', async ({
    servers,
    certificate,
    makeAgent,
    startProxy,
  }) => {
    const file = randomBytes(300_000);
    // The hub on `localhost`, its CDN on 127.0.0.1: two hosts, as huggingface.co and its CDN are.
    const cdn = await servers.https(certificate, (request, response) => {
      response.setHeader('content-length', file.length);
      response.end(request.method === 'HEAD' ? undefined : file);
    });
    const cdnUrl = `${cdn.origin.replace('localhost', '127.0.0.1')}/blobs/abc?X-Amz-Signature=sig`;
    const hub = await servers.https(
      certificate,
      gatedHub(() => cdnUrl),
    );
    const proxy = await startProxy();
    const agent = makeAgent({ env: { HTTPS_PROXY: proxy.url }, ca: certificate.cert });
    const resolveUrl = `${hub.origin}/org/gated/resolve/main/model.safetensors`;
    const auth = { Authorization: `Bearer ${TOKEN}` };

    const head = await requestBounded({ url: resolveUrl, method: 'HEAD', headers: auth, agent });
    expect(head.status).toBe(302);
    expect(head.headers.get('x-linked-etag')).toBe('"abc123"');

    const hop = await requestDownload({ url: resolveUrl, headers: auth, agent });
    expect(hop.status).toBe(302);
    const location = hop.headers.get('location') ?? '';
    hop.discard();
    const answer = await requestDownload({ url: location, agent });
    const ring = new MemoryRing();
    await answer.readInto(ring, { expectedBytes: file.length });
    expect(ring.bytes().equals(file)).toBe(true);

    const hubPort = new URL(hub.origin).port;
    const cdnPort = new URL(cdn.origin).port;
    const lines = await proxy.waitForRequest(`CONNECT 127.0.0.1:${cdnPort}`);
    expect(lines).toContain(`CONNECT localhost:${hubPort} HTTP/1.1`);
    expect(lines).toContain(`CONNECT 127.0.0.1:${cdnPort} HTTP/1.1`);
    expect(hub.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
    expect(cdn.requests.map((request) => request.headers.authorization)).toEqual([undefined]);
    // The proxy relayed a TLS tunnel: neither the token nor the signed path ever passed through it in the clear.
    const log = await proxy.log();
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('X-Amz-Signature');
  });

  test('http targets go through HTTP_PROXY in a tunnel too, so the proxy never reads their headers', async ({
    servers,
    makeAgent,
    startProxy,
  }) => {
    const cdn = await servers.http((_request, response) => response.end('weights'));
    const hub = await servers.http(gatedHub(() => `${cdn.origin}/blob`));
    const proxy = await startProxy();
    const agent = makeAgent({ env: { http_proxy: proxy.url } });
    const head = await requestBounded({
      url: `${hub.origin}/org/gated/resolve/main/a.bin`,
      method: 'HEAD',
      headers: { Authorization: `Bearer ${TOKEN}` },
      agent,
    });
    expect(head.status).toBe(302);
    const answer = await requestDownload({ url: head.headers.get('location') ?? '', agent });
    await expect(answer.readText()).resolves.toBe('weights');
    const lines = await proxy.waitForRequest(`CONNECT 127.0.0.1:${new URL(cdn.origin).port}`);
    expect(lines).toEqual([
      `CONNECT 127.0.0.1:${new URL(hub.origin).port} HTTP/1.1`,
      `CONNECT 127.0.0.1:${new URL(cdn.origin).port} HTTP/1.1`,
    ]);
    expect(await proxy.log()).not.toContain(TOKEN);
    expect(cdn.requests[0].headers.authorization).toBeUndefined();
  });

  test.for([
    ['the host', 'localhost'],
    ['a parent domain with a leading dot', '.localhost'],
    ['the host and its port', 'localhost:PORT'],
    ['everything', '*'],
  ])('NO_PROXY naming %s bypasses the proxy', async ([, noProxy], { servers, certificate, makeAgent, startProxy }) => {
    const hub = await servers.https(certificate, (_request, response) => response.end('{}'));
    const proxy = await startProxy();
    const port = new URL(hub.origin).port;
    const agent = makeAgent({
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy.replace('PORT', port) },
      ca: certificate.cert,
    });
    const answer = await requestBounded({ url: `${hub.origin}/api/models/a/b`, agent });
    expect(answer.status).toBe(200);
    expect(agent.proxyFor(hub.origin)).toBeUndefined();
    expect(await proxy.requests()).toEqual([]);
  });

  test('NO_PROXY for another port of the same host still goes through the proxy', async ({
    servers,
    makeAgent,
    startProxy,
  }) => {
    const hub = await servers.http((_request, response) => response.end('{}'));
    const proxy = await startProxy();
    const agent = makeAgent({ env: { HTTP_PROXY: proxy.url, no_proxy: '127.0.0.1:1' } });
    await requestBounded({ url: `${hub.origin}/api/x`, agent });
    expect(await proxy.waitForRequest('CONNECT')).toEqual([`CONNECT 127.0.0.1:${new URL(hub.origin).port} HTTP/1.1`]);
  });

  test('the configured proxy wins over HTTPS_PROXY', async ({ servers, certificate, makeAgent, startProxy }) => {
    const hub = await servers.https(certificate, (_request, response) => response.end('{}'));
    const configured = await startProxy();
    const fromEnv = await startProxy();
    const agent = makeAgent({ proxy: configured.url, env: { HTTPS_PROXY: fromEnv.url }, ca: certificate.cert });
    await requestBounded({ url: `${hub.origin}/api/x`, agent });
    expect(await configured.waitForRequest('CONNECT')).toHaveLength(1);
    expect(await fromEnv.requests()).toEqual([]);
  });

  test('a proxy that refuses the tunnel fails with its answer and the setting to check', async ({
    servers,
    makeAgent,
    startProxy,
  }) => {
    const hub = await servers.http((_request, response) => response.end('{}'));
    // Tunnels only to 443: the loopback hub's port is refused with 403.
    const proxy = await startProxy(['ConnectPort 443']);
    const agent = makeAgent({ env: { HTTP_PROXY: proxy.url } });
    const error = await depotFailure(requestBounded({ url: `${hub.origin}/api/x`, agent }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `The proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) would not connect to ${new URL(hub.origin).host} (it answered HTTP 403). ` +
        `Check the proxy settings, or list 127.0.0.1 in NO_PROXY if it must be reached directly.`,
    );
    expect(hub.requests).toHaveLength(0);
  });

  test('a proxy that cannot reach the host passes on its failure', async ({ makeAgent, startProxy }) => {
    const proxy = await startProxy();
    const port = await freePort();
    const agent = makeAgent({ env: { HTTP_PROXY: proxy.url } });
    const error = await depotFailure(requestBounded({ url: `http://127.0.0.1:${port}/api/x`, agent }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain(`(it answered HTTP 500)`);
  });

  test('a proxy that is not running is named, with the variable to fix', async ({ servers, makeAgent }) => {
    const hub = await servers.http((_request, response) => response.end('{}'));
    const port = await freePort();
    const agent = makeAgent({ env: { HTTPS_PROXY: `127.0.0.1:${port}` } });
    const error = await depotFailure(requestBounded({ url: `${hub.origin.replace('http:', 'https:')}/api/x`, agent }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `Nothing listens at the proxy 127.0.0.1:${port} (from HTTPS_PROXY); start the proxy or fix HTTPS_PROXY.`,
    );
  });

  test('a proxy that never answers CONNECT fails in the connect phase, naming the proxy', async ({
    servers,
    makeAgent,
  }) => {
    const silentProxy = await servers.raw(() => undefined);
    const agent = makeAgent({ env: { HTTPS_PROXY: silentProxy.origin }, connectTimeoutMs: 300 });
    const started = performance.now();
    const error = await depotFailure(requestBounded({ url: 'https://huggingface.co/api/models/x', agent }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.details).toMatchObject({ phase: 'connect', ms: 300 });
    expect(error.message).toBe(
      `The proxy ${new URL(silentProxy.origin).host} (from HTTPS_PROXY) did not open a connection within 0.3 s (connect timeout); ` +
        `check that the proxy works, or set NO_PROXY for this host.`,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test("an unresolvable host behind the proxy is reported with the proxy's answer", async ({
    makeAgent,
    startProxy,
  }) => {
    const proxy = await startProxy();
    const agent = makeAgent({ env: { HTTPS_PROXY: proxy.url } });
    const error = await depotFailure(requestBounded({ url: 'https://no-such-host.invalid/api/x', agent }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(
      /^The proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) would not connect to no-such-host\.invalid \(it answered HTTP (500|502|503)\)/,
    );
  });

  test('credentials in the proxy URL are sent to the proxy (Proxy-Authorization), never to the host', async ({
    servers,
    makeAgent,
  }) => {
    // A minimal CONNECT proxy that records the request head and then tunnels.
    const heads: string[] = [];
    const fakeProxy = net.createServer((client) => {
      client.once('data', (data: Buffer) => {
        const head = data.toString('latin1');
        heads.push(head);
        const [host, port] = head.split(' ')[1].split(':');
        const upstream = net.connect(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection established\r\n\r\n');
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => fakeProxy.listen(0, '127.0.0.1', () => resolve()));
    try {
      const address = fakeProxy.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      const hub = await servers.http((_request, response) => response.end('{}'));
      const agent = makeAgent({ env: { HTTP_PROXY: `http://user:p%40ss@127.0.0.1:${address.port}` } });
      await requestBounded({ url: `${hub.origin}/api/x`, agent });
      expect(heads[0]).toContain(`proxy-authorization: Basic ${Buffer.from('user:p@ss').toString('base64')}\r\n`);
      expect(hub.requests[0].headers['proxy-authorization']).toBeUndefined();
    } finally {
      fakeProxy.close();
    }
  });
});
