import { spawn } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { createFakeHub } from '../fake-hub/create-fake-hub';
import { spawnServe, type Served } from './spawn-serve';
import { test } from '../disk/temp-dir-test';

const BIN = fileURLToPath(new URL('../../bin/model-depot.cjs', import.meta.url));

/** Starts `model-depot serve --port 0` in `cwd` and waits for its "serving http://..." line. */
function startServe(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  return spawnServe({
    cwd,
    args: ['--config', path.join(cwd, 'config.json'), 'serve', '--port', '0', ...args],
    env: { PATH: process.env.PATH ?? '', HOME: cwd, HF_HUB_CACHE: path.join(cwd, 'hf'), ...env },
  });
}

describe('model-depot serve', () => {
  test('creates ./models, answers GET /health on 127.0.0.1, and stops on SIGTERM releasing the registry lock', async ({
    dir,
  }) => {
    const served = await startServe(dir);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await stat(path.join(dir, 'models'))).isDirectory()).toBe(true);
      const health = await fetch(`${served.url}/health`);
      expect(await health.json()).toEqual({ ok: true, version: expect.any(String) });
      const stats = await fetch(`${served.url}/models/stats`);
      expect(await stats.json()).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
      await expect(openRegistry({ modelsRoot: path.join(dir, 'models') })).rejects.toMatchObject({
        code: 'REGISTRY_LOCKED',
      });
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).toBe(0);
    const registry = await openRegistry({ modelsRoot: path.join(dir, 'models') });
    await registry.close();
  });

  test('--comfyui DIR serves DIR/models and installs the extension into DIR/custom_nodes', async ({ dir }) => {
    const comfy = path.join(dir, 'ComfyUI');
    await mkdir(path.join(comfy, 'custom_nodes'), { recursive: true });
    const served = await startServe(dir, ['--comfyui', comfy]);
    try {
      const deadline = Date.now() + 60_000;
      while (!/extension (installed|updated|NOT installed)/.test(served.stderr()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(served.stderr()).toMatch(/extension (installed|updated) in .*comfyui-model-depot/);
      expect((await stat(path.join(comfy, 'models', '.registry'))).isDirectory()).toBe(true);
      expect((await stat(path.join(comfy, 'custom_nodes', 'comfyui-model-depot', '__init__.py'))).isFile()).toBe(true);
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).toBe(0);
  });

  test('SIGTERM during a download keeps the partial file; the next sidecar resumes it', async ({ dir }) => {
    const SIZE = 6 * 1024 * 1024;
    const hub = await createFakeHub();
    try {
      hub.addRepo({ id: 'org/big', files: [{ path: 'big.safetensors', size: SIZE }] });
      hub.setFault({ kind: 'slow', bytesPerSecond: 2 * 1024 * 1024, times: 1 });
      const item = {
        category: 'checkpoints',
        filename: 'big.safetensors',
        urls: ['https://huggingface.co/org/big/resolve/main/big.safetensors'],
        origin: 'dependencies',
      };
      const post = (url: string) =>
        fetch(`${url}/models/download`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items: [item] }),
        });

      const first = await startServe(dir, [], { HF_ENDPOINT: hub.hfUrl });
      try {
        expect((await post(first.url)).status).toBe(202);
        const deadline = Date.now() + 30_000;
        while (hub.bytesServed() < SIZE / 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      } finally {
        first.child.kill('SIGTERM');
      }
      expect(await first.exited).toBe(0);
      const tmp = await readdir(path.join(dir, 'models', '.cache', 'tmp'));
      expect(tmp.some((name) => name.endsWith('.part'))).toBe(true);
      const servedBefore = hub.bytesServed();
      expect(servedBefore).toBeLessThan(SIZE);

      const second = await startServe(dir, [], { HF_ENDPOINT: hub.hfUrl });
      try {
        const res = await post(second.url);
        const { jobs } = (await res.json()) as { jobs: Array<{ id: string }> };
        let state = '';
        const deadline = Date.now() + 30_000;
        while (!['complete', 'failed'].includes(state) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          const job = (await (await fetch(`${second.url}/models/jobs/${jobs[0]?.id}`)).json()) as {
            job: { state: string };
          };
          state = job.job.state;
        }
        expect(state).toBe('complete');
      } finally {
        second.child.kill('SIGTERM');
      }
      expect(await second.exited).toBe(0);
      // Resumed: the second transfer sent only what was missing (plus at most a small overlap).
      expect(hub.bytesServed()).toBeLessThan(SIZE + SIZE / 8);
      expect((await stat(path.join(dir, 'models', 'checkpoints', 'big.safetensors'))).size).toBe(SIZE);
    } finally {
      await hub.close();
    }
  });

  test('exits 2 on a bad --port or --limit', async ({ dir }) => {
    for (const args of [
      ['--port', 'abc'],
      ['--limit', '-5'],
    ]) {
      const child = spawn(process.execPath, [BIN, '--config', path.join(dir, 'config.json'), 'serve', ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(/--(port|limit)/);
    }
  });
});
