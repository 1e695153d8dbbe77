import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { tmuxTerminal } from './tmux-terminal';

// Drives the real `model-depot tui` in a real pseudo-terminal (tmux at 80x24), as a person would.
const ROOT = path.resolve(import.meta.dirname, '../..');
/** From Escape to the shell's next line: ink's teardown and the depot's close, on a loaded 2-core machine. */
const QUIT_MS = 3000;
/** Polled often so that the measured quit time is close to the real one. */
const terminal = tmuxTerminal('md-tui-quit', { pollMs: 50 });
const { screen, waitForScreen, keys } = terminal;

/** Escape, then the ms until the shell reports the exit code, and that code. */
async function quitWithEscape(): Promise<{ ms: number; code: string | undefined }> {
  const started = performance.now();
  terminal.run('send-keys', 'Escape');
  const after = await waitForScreen((text) => text.includes('TUI-EXITED-'), 'the process to exit', 15_000);
  return { ms: performance.now() - started, code: /TUI-EXITED-(\d+)/.exec(after)?.[1] };
}

describe('model-depot tui: Escape quits at once', () => {
  let dir: string;
  let hub: FakeHub;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'md-tui-quit-'));
    hub = await createFakeHub();
  });

  afterEach(() => {
    terminal.close();
  });

  afterAll(async () => {
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the real CLI in a fresh 80x24 tmux session; the shell line after it reports the exit code. */
  async function startTui(models: string, workflow: string, env: Record<string, string>): Promise<void> {
    await terminal.start([
      'env',
      '-u',
      'HF_TOKEN',
      ...Object.entries({
        MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'),
        HF_HUB_CACHE: path.join(dir, 'no-hf-cache'),
        HOME: dir,
        TERM: 'xterm-256color',
        NO_COLOR: '1',
        ...env,
      }).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      path.join(ROOT, 'bin', 'model-depot.cjs'),
      '--models',
      models,
      'tui',
      workflow,
    ]);
  }

  it('shows Checking… while the hosts are asked, and Escape then quits at once', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((connection) => {
      sockets.add(connection);
      connection.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    try {
      const workflow = path.join(dir, 'silent.json');
      await writeFile(
        workflow,
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
      // The look-up would wait 30 s per try for a host that never answers.
      await startTui(path.join(dir, 'silent-models'), workflow, {
        HF_ENDPOINT: `http://127.0.0.1:${address.port}`,
        HF_HUB_ETAG_TIMEOUT: '30',
      });
      const checking = await waitForScreen((text) => text.includes('Checking…'), 'the checking state');
      expect(checking).toContain('checking…');
      await waitForScreen(() => sockets.size > 0, 'the look-up to reach the silent host');
      const { ms, code } = await quitWithEscape();
      console.info(`Escape during a check: exited ${code} after ${ms.toFixed(0)} ms`);
      expect(code).toBe('0');
      expect(ms).toBeLessThan(QUIT_MS);
      // The terminal is given back: no alternate screen, no mouse reporting.
      expect(terminal.run('display', '-p', '#{alternate_on} #{mouse_any_flag}').trim()).toBe('0 0');
    } finally {
      for (const connection of sockets) connection.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 30_000);

  it('quits at once while a download runs, without asking, and keeps the partial file for a resume', async () => {
    hub.addRepo({ id: 'org/slow', files: [{ path: 'slow.safetensors', size: 4_000_000, lfs: true }] });
    hub.setFault({ kind: 'slow', bytesPerSecond: 200_000, file: 'slow.safetensors' });
    const sha256 = await hub.sha256Of({ repoId: 'org/slow', path: 'slow.safetensors' });
    const workflow = path.join(dir, 'slow.json');
    await writeFile(
      workflow,
      JSON.stringify({
        dependencies: {
          checkpoints: [
            {
              filename: 'slow.safetensors',
              sha256,
              size: 4_000_000,
              urls: ['https://huggingface.co/org/slow/resolve/main/slow.safetensors'],
            },
          ],
        },
      }),
    );
    const models = path.join(dir, 'slow-models');
    await startTui(models, workflow, { HF_ENDPOINT: hub.hfUrl, CIVITAI_ENDPOINT: hub.civitaiUrl });
    await waitForScreen((text) => text.includes('slow.safetensors') && text.includes('Pending'), 'the model list');
    await keys('Enter', 'd');
    await waitForScreen((text) => /Downloading|\d+%/.test(text), 'the download');
    const { ms, code } = await quitWithEscape();
    console.info(`Escape during a download: exited ${code} after ${ms.toFixed(0)} ms`);
    expect(code).toBe('0');
    expect(ms).toBeLessThan(QUIT_MS);
    expect(screen()).not.toContain('Quit anyway');
    await expect(readdir(path.join(models, 'checkpoints')).catch(() => [])).resolves.toEqual([]);
    const kept = await readdir(path.join(models, '.cache', 'tmp'));
    expect(kept.some((name) => name.endsWith('.part'))).toBe(true);
  }, 30_000);
});
