import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { hfListTree } from '../../sidecar/remote/hub/hf-list-tree';
import { createDepot, type Depot } from '../../sidecar/services/depot/create-depot';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { tempDir } from './security-fixture';

const ENV_HF = 'hf_EnvTokenForPolicyTest1234';
const ENV_CIVITAI = 'civitaiEnvKeyForPolicyTest5678';

/** A server that should never be asked anything: it records whoever reaches it, and whether they sent a credential. */
interface Bystander {
  url: string;
  hits: Array<{ method: string; path: string; authorization: boolean }>;
  close(): Promise<void>;
}

async function startBystander(): Promise<Bystander> {
  const hits: Bystander['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization !== undefined,
    });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '4' });
    res.end('evil');
  });
  // 127.0.0.2: loopback, but neither endpoint's host:port, so the policy must refuse it unless loopback is allowed.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.2:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const test = base.extend<{ hub: FakeHub; bystander: Bystander; depot: Depot }>({
  // eslint-disable-next-line no-empty-pattern
  hub: async ({}, use) => {
    const hub = await createFakeHub();
    hub.addRepo({ id: 'org/m', files: [{ path: 'x.safetensors', size: 64 * 1024 }] });
    hub.addCivitaiVersion({ id: 55, files: [{ name: 'c.safetensors', size: 64 * 1024 }] });
    await use(hub);
    await hub.close();
  },
  // eslint-disable-next-line no-empty-pattern
  bystander: async ({}, use) => {
    const bystander = await startBystander();
    await use(bystander);
    await bystander.close();
  },
  depot: async ({ hub }, use) => {
    const { dir, remove } = await tempDir('depot-sec-url-');
    await mkdir(path.join(dir, 'models'));
    // Production settings apart from the endpoints: other loopback hosts are NOT allowed.
    const depot = await createDepot({
      modelsRoot: path.join(dir, 'models'),
      hfEndpoint: hub.hfUrl,
      civitaiEndpoint: hub.civitaiUrl,
      allowLoopbackHosts: false,
      indexInBackground: false,
      hashWorkers: 1,
      envTokens: { huggingface: ENV_HF, civitai: ENV_CIVITAI },
    });
    await use(depot);
    await depot.close();
    await remove();
  },
});

const HF_URL = 'https://huggingface.co/org/m/resolve/main/x.safetensors';
const CIVITAI_URL = 'https://civitai.com/api/download/models/55';
const SHA = 'a'.repeat(64);

describe('URL policy at every hop (HuggingFace, Civitai, localhost only)', () => {
  test('refuses workflow URLs that are not https HuggingFace/Civitai: nothing is fetched', async ({
    depot,
    hub,
    bystander,
  }) => {
    const urls = [
      `${bystander.url}/x.safetensors`,
      'http://huggingface.co/org/m/resolve/main/x.safetensors',
      'https://huggingface.co.evil.example/org/m/resolve/main/x.safetensors',
      'https://evil.example/huggingface.co/x.safetensors',
      'https://user:pass@huggingface.co/org/m/resolve/main/x.safetensors',
      'file:///etc/passwd',
      'ftp://huggingface.co/x.safetensors',
      'https://huggingface.co:8443/org/m/resolve/main/x.safetensors',
    ];
    for (const url of urls) {
      const [job] = await depot.install([
        { category: 'loras', filename: 'x.safetensors', sha256: SHA, urls: [url], origin: 'dependencies' },
      ]);
      const [done] = await depot.settled([job?.id ?? '']);
      expect(done?.state, url).toBe('failed');
      expect(['HOST_NOT_ALLOWED', 'NOT_FOUND'], `${url}: ${done?.error?.code}`).toContain(done?.error?.code);
    }
    expect(bystander.hits).toEqual([]);
    expect(hub.requests).toEqual([]);
  });

  test('a download refuses a redirect hop to another host, to plain http, or to an unknown https host', async ({
    depot,
    hub,
    bystander,
  }) => {
    for (const location of [`${bystander.url}/steal`, 'http://cdn-lfs.huggingface.co/x', 'https://evil.example/x']) {
      hub.clearFaults();
      hub.setFault({ kind: 'redirect', location, server: 'hf' });
      const [job] = await depot.install([
        {
          category: 'loras',
          filename: 'x.safetensors',
          sha256: SHA,
          size: 64 * 1024,
          urls: [HF_URL],
          origin: 'dependencies',
        },
      ]);
      const [done] = await depot.settled([job?.id ?? '']);
      expect(done, location).toMatchObject({ state: 'failed', error: { code: 'HOST_NOT_ALLOWED' } });
      expect(done?.error?.message).not.toContain(ENV_HF);
    }
    expect(bystander.hits).toEqual([]);
  });

  test("the check's HuggingFace look-up (HEAD for X-Linked-Etag) never sends the token off the hub", async ({
    depot,
    hub,
    bystander,
  }) => {
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'hf' });
    await depot
      .check({ dependencies: { loras: [{ filename: 'x.safetensors', urls: [HF_URL] }] } })
      .catch(() => undefined);
    expect(bystander.hits.filter((h) => h.authorization)).toEqual([]);
  });

  test("the check's Civitai look-up (model-version API) never sends the key off Civitai", async ({
    depot,
    hub,
    bystander,
  }) => {
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'civitai' });
    await depot
      .check({ dependencies: { checkpoints: [{ filename: 'c.safetensors', urls: [CIVITAI_URL] }] } })
      .catch(() => undefined);
    expect(bystander.hits.filter((h) => h.authorization)).toEqual([]);
  });

  // Was a hole: hfFileInfo followed off-hub hops and civitaiModelVersion let node-fetch follow any Location.
  test("the check's look-ups fetch nothing outside the policy at a redirect hop (HF HEAD, Civitai API)", async ({
    depot,
    hub,
    bystander,
  }) => {
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'hf' });
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'civitai' });
    await depot
      .check({
        dependencies: {
          loras: [{ filename: 'x.safetensors', urls: [HF_URL] }],
          checkpoints: [{ filename: 'c.safetensors', urls: [CIVITAI_URL] }],
        },
      })
      .catch(() => undefined);
    expect(bystander.hits).toEqual([]);
  });

  test("compare's tree listing never sends the token to a redirect hop off the hub", async ({ hub, bystander }) => {
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'hf', urlPath: '/api/' });
    const listing = async (): Promise<void> => {
      for await (const entry of hfListTree({ repoId: 'org/m', hubUrl: hub.hfUrl, token: ENV_HF, retry: { limit: 0 } }))
        void entry;
    };
    await listing().catch(() => undefined);
    expect(bystander.hits.filter((h) => h.authorization)).toEqual([]);
  });

  // hfListTree, hfRepoInfo (and compare's access check on it) follow only the hub's own redirects (hubRequest).
  test("compare's tree listing fetches nothing off the hub at a redirect hop", async ({ hub, bystander }) => {
    hub.setFault({ kind: 'redirect', location: `${bystander.url}/steal`, server: 'hf', urlPath: '/api/' });
    const listing = async (): Promise<void> => {
      for await (const entry of hfListTree({ repoId: 'org/m', hubUrl: hub.hfUrl, token: ENV_HF, retry: { limit: 0 } }))
        void entry;
    };
    await listing().catch(() => undefined);
    expect(bystander.hits).toEqual([]);
  });
});
