import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { installComfyuiExtension } from '../../sidecar/services/comfyui/install-comfyui-extension';
import { type Served, spawnServe } from '../cli/spawn-serve';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { makeServeSandbox, serveSandboxEnv } from '../security/sandboxed-serve';
import { tempDir } from '../security/security-fixture';
import { connectRecording } from '../server/connect-recording';
import { httpRequest } from '../server/http-request';
import { buildCustomNode } from './build-custom-node';
import { type FakeComfyui, PYTHON, startFakeComfyui } from './start-fake-comfyui';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'model-depot.cjs');
const REPO = 'org/depot-model';
const FILE = 'model.safetensors';
const SIZE = 3 * 1024 * 1024;

/**
 * Opens a WebSocket and reports how it went: refused with an HTTP status, or opened (101) and closed with a code, by
 * the server or, after half a second, by this client (1005).
 */
function tryWebSocket(url: string, headers: Record<string, string>): Promise<{ status?: number; close?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => setTimeout(() => ws.close(), 500));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    ws.once('close', (code) => resolve({ status: 101, close: code }));
    ws.once('error', (error) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the custom node in a ComfyUI-like aiohttp server, with the real sidecar behind it', () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  let hub: FakeHub;
  let sidecar: Served;
  let comfy: FakeComfyui;
  let keyFile: string;

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-comfyui-node-'));
    await makeServeSandbox(dir);
    hub = await createFakeHub();
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const base = path.join(dir, 'ComfyUI');
    const models = path.join(base, 'models');
    await mkdir(models, { recursive: true });
    keyFile = path.join(models, '.registry', 'sidecar-key');
    const env = serveSandboxEnv(dir, hub);
    const nodeDir = await buildCustomNode(path.join(dir, 'build'));
    sidecar = await spawnServe({ cwd: dir, args: ['--models', models, 'serve', '--port', '0'], env });
    comfy = await startFakeComfyui({ nodeDir, base, env: { ...env, MODEL_DEPOT_URL: sidecar.url } });
  }, 60_000);

  afterAll(async () => {
    await comfy?.stop();
    if (sidecar && sidecar.child.exitCode === null) {
      sidecar.child.kill('SIGTERM');
      await sidecar.exited;
    }
    await hub?.close();
    await removeDir?.();
  });

  it("serves the extension and forwards /model-depot/ (and ComfyUI's /api/model-depot/) to the sidecar", async () => {
    const bundle = await httpRequest(`${comfy.url}/extensions/comfyui-model-depot/model-depot.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.text).toContain('registerExtension');
    for (const route of ['/model-depot/health', '/api/model-depot/health']) {
      const health = await httpRequest(`${comfy.url}${route}`);
      expect(health.status, health.text).toBe(200);
      expect(health.json).toMatchObject({ ok: true });
    }
    const stats = await httpRequest(`${comfy.url}/model-depot/models/stats?unused=1`);
    expect(stats.json).toMatchObject({ model_count: 0 });
  });

  it('carries a WebSocket check, and a download from the fake hub started over HTTP, both through /model-depot/', async () => {
    const origin = comfy.url;
    const socketUrl = `${comfy.url.replace('http', 'ws')}/model-depot/ws`;
    const client = await connectRecording(socketUrl, { origin });
    try {
      await client.waitFor((m) => m.type === 'hello');
      const item = {
        category: 'loras',
        filename: FILE,
        urls: [`https://huggingface.co/${REPO}/resolve/main/${FILE}`],
        origin: 'dependencies',
      };
      client.send({ type: 'check', id: 'check-1', dependencies: { loras: [{ filename: FILE, urls: item.urls }] } });
      const checked = await client.waitFor((m) => m.type === 'checkResult' && m.id === 'check-1');
      expect(checked).toMatchObject({ result: { summary: { missing: 1 } } });

      const started = await httpRequest(`${comfy.url}/model-depot/models/download`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [item] }),
      });
      expect(started.status, started.text).toBe(202);
      const jobId = (started.json as { jobs: { id: string }[] }).jobs[0]?.id;
      // The sidecar pushes the job's end to every client: this one hears it through the custom node.
      const done = await client.waitFor((m) => m.type === 'jobDone' && (m.job as { id: string }).id === jobId, 30_000);
      expect(done).toMatchObject({ job: { state: 'complete', bytes: SIZE } });
      const job = await httpRequest(`${comfy.url}/model-depot/models/jobs/${jobId}`);
      expect(job.json).toMatchObject({ job: { state: 'complete' } });
      const bytes = await readFile(path.join(dir, 'ComfyUI', 'models', 'loras', FILE));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(await hub.sha256Of({ repoId: REPO, path: FILE }));
    } finally {
      await client.close();
    }
  });

  it('refuses to forward for a page of another site', async () => {
    // A LAN address, so ComfyUI's own loopback check stays out of it and the custom node's check answers.
    const headers = { host: `192.168.1.30:${new URL(comfy.url).port}`, origin: 'http://evil.example' };
    const post = await httpRequest(`${comfy.url}/model-depot/models/download`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: '{"items":[]}',
    });
    expect(post.status).toBe(403);
    expect(post.json).toMatchObject({
      error: { code: 'ORIGIN_REFUSED', message: expect.stringContaining('evil.example') },
    });
    expect(await tryWebSocket(`${comfy.url.replace('http', 'ws')}/model-depot/ws`, headers)).toMatchObject({
      status: 403,
    });
  });

  it('refuses a page that re-pointed its own name at this machine (DNS rebinding), naming the setting', async () => {
    // Origin and Host agree, as they do after a rebinding: only the name itself tells the page apart.
    const host = `rebind.example:${new URL(comfy.url).port}`;
    const headers = { host, origin: `http://${host}` };
    const post = await httpRequest(`${comfy.url}/model-depot/models/download`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"items":[]}',
    });
    expect(post.status).toBe(403);
    expect(post.json).toMatchObject({
      error: { code: 'ORIGIN_REFUSED', message: expect.stringContaining('MODEL_DEPOT_ALLOWED_HOSTS') },
    });
    expect(await tryWebSocket(`${comfy.url.replace('http', 'ws')}/model-depot/ws`, headers)).toMatchObject({
      status: 403,
    });
  });

  it("the sidecar refuses the same requests sent straight to it from ComfyUI's page, and logs what to allow", async () => {
    const origin = comfy.url;
    const post = await httpRequest(`${sidecar.url}/models/download`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [] }),
    });
    expect(post.status).toBe(403);
    expect(post.json).toMatchObject({
      error: { code: 'ORIGIN_REFUSED', message: expect.stringContaining('allowed_origins') },
    });
    expect(await tryWebSocket(`${sidecar.url.replace('http', 'ws')}/ws`, { origin })).toMatchObject({ status: 403 });
    await until(() => /refused a WebSocket/.test(sidecar.stderr()), 'the refusal in the log');
    const lines = sidecar
      .stderr()
      .split('\n')
      .filter((line) => line.includes('refused'));
    expect(lines.some((line) => line.includes(`add \\"${origin}`) && line.includes('allowed_origins'))).toBe(true);
  });

  it('the sidecar refuses a request claiming to come through the custom node without its key', async () => {
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const socketUrl = `${sidecar.url.replace('http', 'ws')}/model-depot/ws`;
    const claims: Record<string, string>[] = [{}, { 'x-model-depot-key': 'not-the-key-0123456789' }];
    for (const headers of claims) {
      const health = await httpRequest(`${sidecar.url}/model-depot/health`, { headers });
      expect(health.status).toBe(403);
      expect(health.json).toMatchObject({ error: { code: 'ORIGIN_REFUSED' } });
      expect(await tryWebSocket(socketUrl, { ...headers, origin: 'http://evil.example' })).toMatchObject({
        status: 403,
      });
    }
    // A wrong key on a direct route is refused too, even where no key is needed.
    const direct = await httpRequest(`${sidecar.url}/health`, {
      headers: { 'x-model-depot-key': 'nope-nope-nope-nope' },
    });
    expect(direct.status).toBe(403);
    // With the key, Origin and Host no longer matter: the browser's page is ComfyUI's.
    const proven = await httpRequest(`${sidecar.url}/model-depot/models/stats`, {
      headers: { 'x-model-depot-key': key, origin: 'https://192.168.1.30:8000', host: 'comfy.lan:8000' },
    });
    expect(proven.status, proven.text).toBe(200);
    expect(
      await tryWebSocket(socketUrl, { 'x-model-depot-key': key, origin: 'https://192.168.1.30:8000' }),
    ).toMatchObject({
      status: 101,
    });
    expect(sidecar.stderr() + sidecar.stdout() + comfy.stderr() + proven.text).not.toContain(key);
  });
});

describe('the custom node starting the sidecar on demand', () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  let hub: FakeHub;
  let nodeDir: string;
  let base: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ dir, remove: removeDir } = await tempDir('depot-comfyui-start-'));
    await makeServeSandbox(dir);
    hub = await createFakeHub();
    // Installed by comfyui-install, which notes where model-depot is. ComfyUI's base folder is another one here, so
    // the started sidecar's `--comfyui` finds no custom_nodes/ to reinstall into and leaves this copy alone.
    const installedInto = path.join(dir, 'install-target');
    await mkdir(path.join(installedInto, 'custom_nodes'), { recursive: true });
    const built = await buildCustomNode(path.join(dir, 'build'));
    nodeDir = (await installComfyuiExtension({ comfyuiDir: installedInto, distDir: built })).target;
    base = path.join(dir, 'ComfyUI');
    await mkdir(path.join(base, 'models'), { recursive: true });
    env = serveSandboxEnv(dir, hub);
  }, 60_000);

  afterAll(async () => {
    await hub?.close();
    await removeDir?.();
  });

  it('starts the sidecar when it does not answer, forwards to it, and stops it when ComfyUI ends', async () => {
    const port = await freePort();
    const comfy = await startFakeComfyui({
      nodeDir,
      base,
      env: { ...env, MODEL_DEPOT_URL: `http://127.0.0.1:${port}` },
    });
    let pid: number | undefined;
    try {
      const health = await httpRequest(`${comfy.url}/model-depot/health`);
      expect(health.status, health.text).toBe(200);
      pid = Number(/started the sidecar \(pid (\d+)\)/.exec(comfy.stderr())?.[1]);
      expect(isRunning(pid)).toBe(true);
      expect(comfy.stderr()).toContain(`${CLI} serve --comfyui ${base} --port ${port}`);
      const client = await connectRecording(`${comfy.url.replace('http', 'ws')}/model-depot/ws`, { origin: comfy.url });
      await client.waitFor((m) => m.type === 'hello');
      await client.close();
    } finally {
      await comfy.stop('SIGTERM');
    }
    const stopped = pid;
    await until(() => !isRunning(stopped), 'the started sidecar to stop', 20_000);
  });

  /** ComfyUI with the installed custom node, no sidecar on its port, and no `node` on its PATH to start one. */
  async function startWithoutNode(): Promise<{ comfy: FakeComfyui; port: number }> {
    const port = await freePort();
    const comfy = await startFakeComfyui({
      nodeDir,
      base,
      env: { ...env, PATH: path.join(dir, 'no-node-here'), MODEL_DEPOT_URL: `http://127.0.0.1:${port}` },
    });
    return { comfy, port };
  }

  it('without node on its PATH, answers "not running" with the exact command, and closes the socket with 4503', async () => {
    const { comfy, port } = await startWithoutNode();
    try {
      const health = await httpRequest(`${comfy.url}/model-depot/health`);
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({
        error: {
          code: 'SIDECAR_NOT_RUNNING',
          message: expect.stringContaining(`Start it with: node ${CLI} serve --comfyui ${base} --port ${port}`),
        },
      });
      expect(JSON.stringify(health.json)).toContain('Node.js (20.19 or newer) is not on its PATH');
      const socket = await tryWebSocket(`${comfy.url.replace('http', 'ws')}/model-depot/ws`, { origin: comfy.url });
      expect(socket).toMatchObject({ status: 101, close: 4503 });
    } finally {
      await comfy.stop();
    }
  });

  it('finds the command of an install that recorded bin/model-depot.mjs, which is bin/model-depot.cjs now', async () => {
    const marker = path.join(nodeDir, '.model-depot-install.json');
    const recorded = await readFile(marker, 'utf8');
    const legacy = { ...JSON.parse(recorded), cli: CLI.replace(/\.cjs$/, '.mjs') };
    await writeFile(marker, JSON.stringify(legacy));
    const { comfy, port } = await startWithoutNode();
    try {
      const health = await httpRequest(`${comfy.url}/model-depot/health`);
      expect(health.status).toBe(503);
      expect(JSON.stringify(health.json)).toContain(
        `Start it with: node ${CLI} serve --comfyui ${base} --port ${port}`,
      );
    } finally {
      await comfy.stop();
      await writeFile(marker, recorded);
    }
  });

  it('imports cleanly where there is no ComfyUI server module, keeping only the web directory', async () => {
    const script =
      'import importlib.util, sys; ' +
      `spec = importlib.util.spec_from_file_location("node", ${JSON.stringify(path.join(nodeDir, '__init__.py'))}); ` +
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); ' +
      'print(m.WEB_DIRECTORY, m.NODE_CLASS_MAPPINGS, m._sidecar, "server" in sys.modules)';
    const { stdout } = await run(PYTHON, ['-c', script], { env: { PATH: env.PATH ?? '' } });
    expect(stdout.trim()).toBe('./web {} None False');
  });
});
