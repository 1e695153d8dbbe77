import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { createHttpAgent } from '../../../sidecar/remote/http/create-http-agent';
import { requestBounded } from '../../../sidecar/remote/http/request-bounded';
import { trustedCertificates } from '../../../sidecar/remote/http/trusted-certificates';
import { messageOf, rejection } from '../fixtures/loopback-servers';
import { test } from './fixtures/http-test-context';
import { freePort } from './fixtures/tinyproxy';

const timeouts = { connectTimeoutMs: 2000, headersTimeoutMs: 2000, bodyTimeoutMs: 2000 };

describe('createHttpAgent', () => {
  describe('certificate authorities', () => {
    test('trusts the authorities in NODE_EXTRA_CA_CERTS of the env it is given', async ({
      servers,
      certificate,
      makeAgent,
      tmp,
    }) => {
      const hub = await servers.https(certificate, (_request, response) => response.end('{"ok":true}'));
      const file = path.join(tmp, 'company-ca.pem');
      await writeFile(file, certificate.cert);
      const answer = await requestBounded({
        url: `${hub.origin}/api/x`,
        agent: makeAgent({ env: { NODE_EXTRA_CA_CERTS: file } }),
      });
      expect(answer.text()).toBe('{"ok":true}');
    });

    test('keeps trusting the bundled public roots next to the extra ones', async ({ certificate, tmp }) => {
      const file = path.join(tmp, 'company-ca.pem');
      await writeFile(file, certificate.cert);
      const ca = trustedCertificates({ env: { NODE_EXTRA_CA_CERTS: file }, ca: 'test-ca' });
      expect(ca).toEqual([...tls.rootCertificates, 'test-ca', certificate.cert]);
      expect(trustedCertificates({ env: {} })).toBeUndefined();
    });

    test('says to set NODE_EXTRA_CA_CERTS when a certificate is not trusted, and that a retry will not help', async ({
      servers,
      certificate,
      makeAgent,
    }) => {
      const hub = await servers.https(certificate, (_request, response) => response.end('{}'));
      const error = await rejection(requestBounded({ url: `${hub.origin}/api/x`, agent: makeAgent() }));
      expect(error).toBeInstanceOf(DepotError);
      expect(error).toMatchObject({ code: 'NETWORK', details: { phase: 'connect', maxRetries: 0 } });
      expect(messageOf(error)).toMatch(
        /^localhost:\d+'s certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. If a company proxy inspects https traffic, set NODE_EXTRA_CA_CERTS to the PEM file of its certificate authority\.$/,
      );
      expect(hub.requests).toHaveLength(0);
    });

    test('refuses a NODE_EXTRA_CA_CERTS that cannot be read or holds no certificate', async ({ tmp }) => {
      const missing = path.join(tmp, 'missing.pem');
      expect(() => createHttpAgent({ ...timeouts, env: { NODE_EXTRA_CA_CERTS: missing } })).toThrow(
        `NODE_EXTRA_CA_CERTS names ${missing}, which cannot be read (ENOENT); point it at a PEM file of certificate authorities, or unset it.`,
      );
      const notPem = path.join(tmp, 'not.pem');
      await writeFile(notPem, 'hello');
      expect(() => createHttpAgent({ ...timeouts, env: { NODE_EXTRA_CA_CERTS: notPem } })).toThrow(
        /holds no PEM certificate/,
      );
    });
  });

  describe('its environment', () => {
    test('never reads the proxy variables of process.env', async ({ servers, makeAgent }) => {
      const hub = await servers.http((_request, response) => response.end('{}'));
      const dead = `http://127.0.0.1:${await freePort()}`;
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
      process.env.HTTP_PROXY = dead;
      process.env.http_proxy = dead;
      try {
        const answer = await requestBounded({ url: `${hub.origin}/api/x`, agent: makeAgent() });
        expect(answer.status).toBe(200);
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });

    test('refuses an unusable proxy value when it is created', () => {
      expect(() => createHttpAgent({ ...timeouts, env: { https_proxy: 'socks5://h:1' } })).toThrow(DepotError);
      expect(() => createHttpAgent({ ...timeouts, proxy: 'http://[nope' })).toThrow(
        /^the proxy setting is not a proxy URL/,
      );
    });

    test('tells which proxy a URL goes through', ({ makeAgent }) => {
      const agent = makeAgent({ env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost' } });
      expect(agent.proxyFor('https://huggingface.co/x')).toMatchObject({ from: 'HTTPS_PROXY' });
      expect(agent.proxyFor('https://localhost:8190/x')).toBeUndefined();
    });
  });

  describe('closing', () => {
    test('close lets the request in flight finish, then frees every connection', async ({ servers }) => {
      const hub = await servers.http((_request, response) => setTimeout(() => response.end('late'), 100));
      const agent = createHttpAgent({ ...timeouts, env: {} });
      const pending = requestBounded({ url: `${hub.origin}/api/x`, agent });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await agent.close();
      await expect(pending).resolves.toMatchObject({ status: 200 });
      await expect(requestBounded({ url: `${hub.origin}/api/x`, agent })).rejects.toThrow(DepotError);
    });

    test('destroy fails the request in flight at once', async ({ servers }) => {
      const hub = await servers.raw(() => undefined);
      const agent = createHttpAgent({ ...timeouts, env: {} });
      const pending = rejection(requestBounded({ url: `${hub.origin}/api/x`, agent }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await agent.destroy();
      expect(await pending).toBeInstanceOf(DepotError);
    });
  });
});
