import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FakeHub } from '../fake-hub/create-fake-hub';
import { spawnServe, type Served } from '../cli/spawn-serve';

/**
 * Creates the folders a sandboxed `serve` writes to inside `dir` (config, home, tmp, hf-cache) and returns its config
 * file's path (the file itself is written by the caller, or by serve on first run).
 */
export async function makeServeSandbox(dir: string): Promise<string> {
  for (const sub of ['config', 'home', 'tmp', 'hf-cache']) await mkdir(path.join(dir, sub), { recursive: true });
  return path.join(dir, 'config', 'config.json');
}

/**
 * The environment of a process that must write only inside `dir` (models aside): config, home, caches and temporary
 * files there, the fake hub as HuggingFace and Civitai, nothing inherited but PATH (so no developer token leaks in).
 */
export function serveSandboxEnv(dir: string, hub: FakeHub): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: path.join(dir, 'home'),
    TMPDIR: path.join(dir, 'tmp'),
    XDG_CACHE_HOME: path.join(dir, 'home', '.cache'),
    MODEL_DEPOT_CONFIG: path.join(dir, 'config', 'config.json'),
    HF_HUB_CACHE: path.join(dir, 'hf-cache'),
    HF_ENDPOINT: hub.hfUrl,
    CIVITAI_ENDPOINT: hub.civitaiUrl,
  };
}

/**
 * The real CLI, `model-depot serve --port 0`, on the fake hub with `civitaiToken` as CIVITAI_API_TOKEN: everything it
 * may write (models, config, home, caches, temporary files) stays inside `dir`, prepared by makeServeSandbox.
 */
export function spawnSandboxedServe(dir: string, hub: FakeHub, civitaiToken: string): Promise<Served> {
  return spawnServe({
    cwd: dir,
    args: [
      '--config',
      path.join(dir, 'config', 'config.json'),
      '--models',
      path.join(dir, 'models'),
      'serve',
      '--port',
      '0',
    ],
    env: { ...serveSandboxEnv(dir, hub), CIVITAI_API_TOKEN: civitaiToken },
  });
}
