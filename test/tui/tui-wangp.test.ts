import { lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { wanGpDownloaderConfig } from '../config/wangp-downloader-config';
import { WANGP_FILES, writeWanGpHubLayout, type WanGpHubLayout } from '../services/wangp/wangp-hub-layout';
import { tmuxTerminal } from './tmux-terminal';

// Drives the real `model-depot tui` with no argument on a WanGP install, in a real pseudo-terminal (tmux at 80x24).
const ROOT = path.resolve(import.meta.dirname, '../..');
const OUTPUT = path.join(ROOT, 'test-output', 'tui');
const rowOf = (text: string, name: string) => text.split('\n').find((line) => line.includes(name)) ?? '';
const ckptsFiles = async (ckpts: string) => (await readdir(ckpts)).filter((name) => !name.startsWith('.')).sort();

describe('model-depot tui on WanGP', () => {
  const terminal = tmuxTerminal('md-tui-wangp', { timeoutMs: 30_000 });
  const { waitForScreen, keys } = terminal;
  let hub: FakeHub;
  let dir: string;

  beforeAll(async () => {
    await mkdir(OUTPUT, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'md-tui-wangp-'));
    hub = await createFakeHub();
  });

  afterAll(async () => {
    terminal.close();
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts `model-depot tui --config-file FILE [args]` with the WanGP downloader's config.json for `layout`. */
  async function startTui(layout: WanGpHubLayout, args: string[] = []): Promise<void> {
    const configFile = path.join(path.dirname(layout.root), 'config.json');
    await writeFile(configFile, wanGpDownloaderConfig(layout.ckpts, layout.hubDir));
    const env = {
      HF_ENDPOINT: hub.hfUrl,
      CIVITAI_ENDPOINT: hub.civitaiUrl,
      HF_HUB_CACHE: path.join(dir, 'no-hf-cache'),
      HOME: dir,
      TERM: 'xterm-256color',
    };
    await terminal.start([
      'env',
      '-u',
      'HF_TOKEN',
      '-u',
      'HUGGING_FACE_HUB_TOKEN',
      '-u',
      'MODEL_DEPOT_CONFIG',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      path.join(ROOT, 'bin', 'model-depot.cjs'),
      'tui',
      '--config-file',
      configFile,
      ...args,
    ]);
  }

  async function quit(): Promise<void> {
    await keys('Escape');
    expect(await waitForScreen((text) => text.includes('TUI-EXITED-'), 'the process to exit')).toContain(
      'TUI-EXITED-0',
    );
  }

  it('lists the models by name, downloads the int8 file and both transformers, links what the hub has', async () => {
    const layout = await writeWanGpHubLayout(path.join(dir, 'one'), hub);
    await startTui(layout);
    const list = await waitForScreen(
      (text) => text.includes('Twin 14B') && rowOf(text, 'Dragon 14B').includes('Pending'),
      'the WanGP model list',
      60_000,
    );
    await writeFile(path.join(OUTPUT, 'wangp-list.txt'), list);
    expect(list).toMatch(/✓\s+Config\s+Model File\s+Size \(GB\)\s+Status\s+Destination/);
    for (const line of list.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    for (const name of ['Dragon 14B', 'Heron 1B', 'Lynx 5B', 'Twin 14B']) expect(rowOf(list, name)).toContain('ckpts/');
    expect(list).not.toContain('Ghost');
    expect(rowOf(list, 'Lynx 5B')).toContain('ckpts/');
    // The current row's detail line: architecture and description.
    expect(list).toContain('dragon · Turns a prompt into a video of dragons.');

    // Dragon (row 1) and Heron (row 2); Enter on Twin's first row selects both its transformers.
    await keys('Enter', 'Down', 'Enter', 'Down', 'Down', 'Down', 'Enter');
    const selected = await waitForScreen((text) => text.includes('4 selected'), 'four selected rows');
    await writeFile(path.join(OUTPUT, 'wangp-selected.txt'), selected);
    const cdnBefore = hub.bytesServed({ server: 'cdn' });
    await keys('d');
    const done = await waitForScreen(
      (text) =>
        rowOf(text, 'Dragon 14B').includes('Complete') &&
        rowOf(text, 'Heron 1B').includes('Linked') &&
        text.split('\n').filter((line) => line.includes('Twin 14B') && line.includes('Complete')).length === 2,
      'Complete and Linked',
    );
    await writeFile(path.join(OUTPUT, 'wangp-done.txt'), done);
    expect(await ckptsFiles(layout.ckpts)).toEqual(
      [WANGP_FILES.dragonInt8, WANGP_FILES.heron, WANGP_FILES.twinHigh, WANGP_FILES.twinLow].sort(),
    );
    expect(await readFile(path.join(layout.ckpts, WANGP_FILES.dragonInt8))).toEqual(layout.bytes.dragonInt8);
    expect((await lstat(path.join(layout.ckpts, WANGP_FILES.heron))).isSymbolicLink()).toBe(true);
    // Heron cost nothing: only the three downloaded files crossed the wire.
    const downloaded = layout.bytes.dragonInt8.length + layout.bytes.twinHigh.length + layout.bytes.twinLow.length;
    expect(hub.bytesServed({ server: 'cdn' }) - cdnBefore).toBe(downloaded);
    await quit();
  });

  it('downloads the bf16 file with --quantization bf16', async () => {
    const layout = await writeWanGpHubLayout(path.join(dir, 'two'), hub);
    await startTui(layout, ['--quantization', 'bf16']);
    await waitForScreen((text) => rowOf(text, 'Dragon 14B').includes('Pending'), 'the WanGP model list', 60_000);
    await keys('Enter', 'd');
    await waitForScreen((text) => rowOf(text, 'Dragon 14B').includes('Complete'), 'Complete');
    expect(await ckptsFiles(layout.ckpts)).toEqual([WANGP_FILES.dragonBf16]);
    expect(await readFile(path.join(layout.ckpts, WANGP_FILES.dragonBf16))).toEqual(layout.bytes.dragonBf16);
    await quit();
  });
});
