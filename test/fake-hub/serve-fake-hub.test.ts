import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./serve-fake-hub.ts', import.meta.url));

describe('serve-fake-hub', () => {
  it('prints its four URLs as one JSON line, serves the seeded repos, versions and faults, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-fake-hub-'));
    const config = join(dir, 'hub.json');
    await writeFile(
      config,
      JSON.stringify({
        repos: [{ id: 'org/cfg', files: [{ path: 'config.json', content: '{"x":1}' }] }],
        faults: [{ kind: 'fail', status: 503, server: 'civitai', times: 1 }],
      }),
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        script,
        '--config',
        config,
        '--file',
        'org/m/unet/m.safetensors=2M:seed1',
        '--gated',
        'org/m=hf_granted',
        '--civitai-file',
        '42/l.safetensors=1K',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const urls = JSON.parse(line) as Record<string, string>;
      expect(Object.keys(urls).sort()).toEqual(['cdnUrl', 'civitaiUrl', 'hfUrl', 'pid', 'storageUrl']);
      expect(new URL(urls.cdnUrl).hostname).toBe('localhost');
      const gated = await fetch(`${urls.hfUrl}/org/m/resolve/main/unet/m.safetensors`, {
        method: 'HEAD',
        redirect: 'manual',
      });
      expect(gated.status).toBe(401);
      const granted = await fetch(`${urls.hfUrl}/org/m/resolve/main/unet/m.safetensors`, {
        method: 'HEAD',
        redirect: 'manual',
        headers: { Authorization: 'Bearer hf_granted' },
      });
      expect(granted.headers.get('x-linked-size')).toBe(String(2 * 1024 * 1024));
      expect(await (await fetch(`${urls.hfUrl}/org/cfg/resolve/main/config.json`)).text()).toBe('{"x":1}');
      expect((await fetch(`${urls.civitaiUrl}/api/download/models/42`, { redirect: 'manual' })).status).toBe(503);
      expect((await fetch(`${urls.civitaiUrl}/api/download/models/42`, { redirect: 'manual' })).status).toBe(307);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
