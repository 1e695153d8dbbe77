import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import type { Served } from '../cli/spawn-serve';
import { httpRequest } from '../server/http-request';
import { makeServeSandbox, spawnSandboxedServe } from './sandboxed-serve';
import { secretForms, tempDir } from './security-fixture';

// A Civitai key is 32 hex digits: no log pattern can tell it from a hash, only its value can.
const ENV_CIVITAI = '5f3c9a0e7b1d2c4e6f8a0b1c2d3e4f50';

describe('model-depot serve: config allowed_hosts and a log line with the environment key', () => {
  let hub: FakeHub;
  let dir: string;
  let removeDir: () => Promise<void>;
  let served: Served;

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-sec-serve-'));
    const config = await makeServeSandbox(dir);
    await writeFile(
      config,
      JSON.stringify({ allowed_hosts: ['depot.lan'], allowed_origins: ['http://comfy.lan:8188'] }),
    );
    hub = await createFakeHub({ civitaiTokens: [ENV_CIVITAI] });
    served = await spawnSandboxedServe(dir, hub, ENV_CIVITAI);
  }, 40_000);

  afterAll(async () => {
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await served.exited;
    }
    await hub?.close();
    await removeDir?.();
  });

  it('answers a LAN ComfyUI under a host name from allowed_hosts, and refuses Host: attacker.example', async () => {
    const port = new URL(served.url).port;
    const lan = await httpRequest(`${served.url}/health`, { headers: { host: `depot.lan:${port}` } });
    expect(lan.status, lan.text).toBe(200);
    const post = await httpRequest(`${served.url}/models/check-dependencies`, {
      method: 'POST',
      headers: { host: `depot.lan:${port}`, origin: 'http://comfy.lan:8188', 'content-type': 'application/json' },
      body: '{"dependencies":{}}',
    });
    expect(post.status, post.text).toBe(200);
    for (const host of [`attacker.example:${port}`, 'attacker.example']) {
      const refused = await httpRequest(`${served.url}/health`, { headers: { host } });
      expect(refused.status, host).toBe(403);
      expect(refused.json).toMatchObject({ error: { code: 'ORIGIN_REFUSED' } });
    }
  });

  it('cuts the environment Civitai key out of a log line that would carry it (a failed job whose URL holds it)', async () => {
    // The key pasted under a parameter name no URL redaction knows: only its value can be recognised.
    const url = `https://civitai.com/api/download/models/424242?note=${ENV_CIVITAI}`;
    const res = await fetch(`${served.url}/models/download`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ category: 'loras', filename: 'missing.safetensors', urls: [url], origin: 'dependencies' }],
      }),
    });
    expect(res.status).toBe(202);
    const deadline = Date.now() + 20_000;
    while (!/job failed/.test(served.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stderr = served.stderr();
    expect(stderr).toMatch(/job failed/);
    expect(stderr).toContain('[redacted]');
    const data = Buffer.from(stderr + served.stdout());
    expect(secretForms(ENV_CIVITAI).filter((form) => data.includes(form))).toEqual([]);
  });
});
