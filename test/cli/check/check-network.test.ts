import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { zCheckResult } from '../../../shared/check-result';
import { test as hubTest } from '../../fake-hub/fake-hub-fixture';
import { startTinyproxy } from '../../remote/http/fixtures/tinyproxy';
import { runCli } from '../run-cli';

const test = hubTest.extend<{ dir: string }>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'model-depot-check-network-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

/** A workflow naming one HuggingFace file without a SHA-256, so the check asks the hub for it. */
async function workflowFile(dir: string): Promise<string> {
  const file = path.join(dir, 'workflow.json');
  await writeFile(
    file,
    JSON.stringify({
      nodes: [],
      models: [
        {
          name: 'vae.safetensors',
          url: 'https://huggingface.co/org/repo/resolve/main/vae.safetensors',
          directory: 'vae',
        },
      ],
    }),
  );
  return file;
}

function check(dir: string, workflow: string, env: Record<string, string>) {
  return runCli(['--models', path.join(dir, 'models'), '--json', 'check', workflow], {
    cwd: dir,
    env: { MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'), ...env },
  });
}

describe('model-depot check over the network', () => {
  test('asks the hub through HTTPS_PROXY / HTTP_PROXY: the proxy logs the tunnel and the size comes back', async ({
    dir,
    hub,
  }) => {
    hub.addRepo({ id: 'org/repo', files: [{ path: 'vae.safetensors', size: 4096 }] });
    const proxy = await startTinyproxy({ dir });
    try {
      const hfHost = new URL(hub.hfUrl).host;
      const run = await check(dir, await workflowFile(dir), {
        HF_ENDPOINT: hub.hfUrl,
        CIVITAI_ENDPOINT: hub.civitaiUrl,
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
      });
      expect(run.stderr).toBe('');
      const result = zCheckResult.parse(JSON.parse(run.stdout));
      expect(JSON.stringify(result)).toContain('4096');
      expect(await proxy.waitForRequest(hfHost)).toContainEqual(expect.stringContaining(`CONNECT ${hfHost}`));
    } finally {
      await proxy.stop();
    }
  });

  test('does not wait on a silent hub: HF_HUB_ETAG_TIMEOUT bounds the look-up, the check answers and says why', async ({
    dir,
  }) => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const run = await check(dir, await workflowFile(dir), {
        HF_ENDPOINT: `http://127.0.0.1:${port}`,
        HF_HUB_ETAG_TIMEOUT: '0.5',
      });
      // One retry at most for a person waiting: two timeouts, plus the CLI's own start-up.
      expect(performance.now() - started).toBeLessThan(8000);
      expect(run.stderr).toBe('');
      const [item] = zCheckResult.parse(JSON.parse(run.stdout)).items;
      expect(item?.status).toBe('missing');
      expect(item?.size).toBeUndefined();
      // The check still answers, and says why the size is unknown: one line naming the host that stayed silent.
      expect(item?.reason).toMatch(
        new RegExp(`^vae/vae\\.safetensors: .*the look-up at 127\\.0\\.0\\.1:${port} failed: .*timeout`),
      );
      expect(item?.reason).not.toContain('\n');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test("does not hang on a hub name that does not resolve, and names it in the item's reason", async ({ dir }) => {
    const started = performance.now();
    const run = await check(dir, await workflowFile(dir), { HF_ENDPOINT: 'https://no-such-host.invalid' });
    expect(performance.now() - started).toBeLessThan(8000);
    expect(run.stderr).toBe('');
    const [item] = zCheckResult.parse(JSON.parse(run.stdout)).items;
    expect(item?.status).toBe('missing');
    expect(item?.reason).toMatch(/the look-up at no-such-host\.invalid failed: Cannot resolve no-such-host\.invalid/);
  });
});
