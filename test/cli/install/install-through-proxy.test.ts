import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { test as hubTest } from '../../fake-hub/fake-hub-fixture';
import { startTinyproxy, type Tinyproxy } from '../../remote/http/fixtures/tinyproxy';
import { runCli } from '../run-cli';

const REPO = 'org/gated-model';
const FILE = 'model.safetensors';
const SIZE = 1024 * 1024 + 3;
const TOKEN = 'hf_with_access';

const test = hubTest.extend<{ dir: string; proxy: Tinyproxy }>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'model-depot-install-proxy-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  proxy: async ({ dir }, use) => {
    const proxy = await startTinyproxy({ dir });
    await use(proxy);
    await proxy.stop();
  },
});

/** A workflow naming the gated file by URL only: the check asks the hub for its SHA-256 and size. */
async function workflowFile(dir: string): Promise<string> {
  const file = path.join(dir, 'workflow.json');
  await writeFile(
    file,
    JSON.stringify({
      nodes: [],
      models: [{ name: FILE, url: `https://huggingface.co/${REPO}/resolve/main/${FILE}`, directory: 'checkpoints' }],
    }),
  );
  return file;
}

function cli(dir: string, models: string, args: string[], env: Record<string, string>) {
  return runCli(['--models', models, ...args], {
    cwd: dir,
    env: { MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'), HF_HUB_CACHE: path.join(dir, 'hf'), ...env },
  });
}

describe('model-depot install through a proxy', () => {
  test('checks and downloads a gated file through HTTPS_PROXY / HTTP_PROXY; the token reaches only the hub', async ({
    dir,
    hub,
    proxy,
  }) => {
    hub.addRepo({ id: REPO, gated: 'manual', tokensWithAccess: [TOKEN], files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const hfHost = new URL(hub.hfUrl).host;
    const cdnHost = new URL(hub.cdnUrl).host;
    const env = {
      HF_ENDPOINT: hub.hfUrl,
      CIVITAI_ENDPOINT: hub.civitaiUrl,
      HF_TOKEN: TOKEN,
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
    };
    const workflow = await workflowFile(dir);
    const models = path.join(dir, 'models');

    const checked = await cli(dir, models, ['--json', 'check', workflow], env);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain(sha256);
    expect(await proxy.waitForRequest(`CONNECT ${hfHost}`)).toContainEqual(`CONNECT ${hfHost} HTTP/1.1`);

    hub.resetLog();
    const before = (await proxy.requests()).length;
    const installed = await cli(dir, models, ['install', workflow, '--yes'], env);
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect((await stat(path.join(models, 'checkpoints', FILE))).size).toBe(SIZE);

    // Both hops of the download went through the proxy: the hub's redirect and the CDN's bytes.
    const during = (await proxy.waitForRequest(`CONNECT ${cdnHost}`)).slice(before);
    expect(during).toContainEqual(`CONNECT ${hfHost} HTTP/1.1`);
    expect(during).toContainEqual(`CONNECT ${cdnHost} HTTP/1.1`);
    const log = await proxy.log();
    expect(log).not.toContain(TOKEN);

    // The hub saw the token (it is gated), the CDN never did; a tunnel shows the proxy no header at all.
    const hubGets = hub.requests.filter((r) => r.server === 'hf' && r.method === 'GET');
    const cdnGets = hub.requests.filter((r) => r.server === 'cdn');
    expect(hubGets.length).toBeGreaterThan(0);
    expect(hubGets.every((r) => r.hasAuthorization)).toBe(true);
    expect(cdnGets.length).toBeGreaterThan(0);
    expect(cdnGets.some((r) => r.hasAuthorization)).toBe(false);
  });

  test('goes direct for the hosts NO_PROXY lists: the proxy logs nothing', async ({ dir, hub, proxy }) => {
    hub.addRepo({ id: REPO, gated: 'manual', tokensWithAccess: [TOKEN], files: [{ path: FILE, size: SIZE }] });
    const installed = await cli(dir, path.join(dir, 'models'), ['install', await workflowFile(dir), '--yes'], {
      HF_ENDPOINT: hub.hfUrl,
      CIVITAI_ENDPOINT: hub.civitaiUrl,
      HF_TOKEN: TOKEN,
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1,localhost',
    });
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    expect(hub.requests.some((r) => r.server === 'cdn' && r.status === 200)).toBe(true);
    expect(await proxy.requests()).toEqual([]);
    expect(await readFile(path.join(dir, 'models', 'checkpoints', FILE))).toHaveLength(SIZE);
  });
});
