import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type Served } from '../cli/spawn-serve';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { tmuxTerminal } from './tmux-terminal';

// Drives the real `model-depot tui` in tmux beside a real `model-depot serve` of the same models folder.
const ROOT = path.resolve(import.meta.dirname, '../..');
const GATED_TOKEN = 'hf_tuiSidecarToken0123456789abcdefgh';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const rowOf = (text: string, name: string) => text.split('\n').find((line) => line.includes(name)) ?? '';
/** The rows of the model table, from the header to the total line. */
const tableOf = (text: string) => {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes('Destination'));
  const end = lines.findIndex((line, i) => i > start && /in place/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).map((line) => line.trimEnd());
};

describe('model-depot tui beside a running sidecar', () => {
  const terminal = tmuxTerminal('md-tui-sidecar');
  let hub: FakeHub;
  let dir: string;
  let sidecar: Served | undefined;
  const present = randomBytes(200_000);
  const linkable = randomBytes(300_000);
  const missing = randomBytes(600_000);
  const gated = randomBytes(400_000);
  const slow = randomBytes(2_000_000);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'md-tui-sidecar-'));
    hub = await createFakeHub();
    hub.addRepo({
      id: 'org/models',
      files: [
        { path: 'present.safetensors', content: present, lfs: true },
        { path: 'linkable.safetensors', content: linkable, lfs: true },
        { path: 'missing.safetensors', content: missing, lfs: true },
      ],
    });
    hub.addRepo({ id: 'org/slow', files: [{ path: 'slow.safetensors', content: slow, lfs: true }] });
    hub.setFault({ kind: 'slow', bytesPerSecond: 200_000, file: 'slow.safetensors' });
    await writeFile(
      path.join(dir, 'slow-workflow.json'),
      JSON.stringify({
        dependencies: {
          loras: [
            {
              filename: 'slow.safetensors',
              sha256: sha256(slow),
              size: slow.length,
              urls: ['https://huggingface.co/org/slow/resolve/main/slow.safetensors'],
            },
          ],
        },
      }),
    );
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: [GATED_TOKEN],
      files: [{ path: 'gated.safetensors', content: gated, lfs: true }],
    });
    const entry = (name: string, bytes: Buffer) => ({
      filename: name,
      sha256: sha256(bytes),
      size: bytes.length,
      urls: [`https://huggingface.co/org/models/resolve/main/${name}`],
    });
    await writeFile(
      path.join(dir, 'workflow.json'),
      JSON.stringify({
        dependencies: {
          checkpoints: [
            entry('present.safetensors', present),
            entry('linkable.safetensors', linkable),
            entry('missing.safetensors', missing),
          ],
        },
      }),
    );
    await writeFile(
      path.join(dir, 'gated-workflow.json'),
      JSON.stringify({
        models: [
          {
            name: 'gated.safetensors',
            url: 'https://huggingface.co/org/gated/resolve/main/gated.safetensors',
            directory: 'loras',
          },
        ],
      }),
    );
    for (const home of ['alone', 'served']) {
      await mkdir(path.join(dir, home, 'models', 'checkpoints'), { recursive: true });
      await writeFile(path.join(dir, home, 'models', 'checkpoints', 'present.safetensors'), present);
      await mkdir(path.join(dir, home, 'hub'), { recursive: true });
      await writeFile(path.join(dir, home, 'hub', 'some other name.safetensors'), linkable);
    }
  });

  afterAll(async () => {
    terminal.close();
    sidecar?.child.kill('SIGTERM');
    await sidecar?.exited;
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH ?? '',
    HF_ENDPOINT: hub.hfUrl,
    CIVITAI_ENDPOINT: hub.civitaiUrl,
    MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'),
    HF_HUB_CACHE: path.join(dir, 'no-hf-cache'),
    HOME: dir,
  });
  const globals = (home: string) => [
    '--models',
    path.join(dir, home, 'models'),
    '--hub-dir',
    path.join(dir, home, 'hub'),
  ];
  const startTui = (home: string, workflow: string): Promise<void> =>
    terminal.start([
      'env',
      '-i',
      ...Object.entries({ ...env(), TERM: 'xterm-256color' }).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      path.join(ROOT, 'bin', 'model-depot.cjs'),
      ...globals(home),
      'tui',
      '--limit',
      '4096',
      path.join(dir, workflow),
    ]);

  /** Links one model and downloads another, checking again with r first; returns the screens that matter. */
  async function linkAndDownload(home: string): Promise<{ list: string; done: string }> {
    await startTui(home, 'workflow.json');
    const list = await terminal.waitForScreen(
      (text) => text.includes('missing.safetensors') && text.includes('Exists'),
      'the model list',
    );
    await terminal.keys('r');
    await terminal.waitForScreen(
      (text) => text.includes('Metadata cache cleared') && text.includes('missing.safetensors'),
      'the cache reset',
    );
    await terminal.keys('Down', 'Enter', 'Down', 'Enter', 'd');
    const done = await terminal.waitForScreen(
      (text) =>
        rowOf(text, 'linkable.safetensors').includes('Linked') &&
        rowOf(text, 'missing.safetensors').includes('Complete'),
      'Linked and Complete',
    );
    await terminal.keys('Escape');
    expect(await terminal.waitForScreen((text) => text.includes('TUI-EXITED-'), 'the exit')).toContain('TUI-EXITED-0');
    const models = path.join(dir, home, 'models', 'checkpoints');
    expect(sha256(await readFile(path.join(models, 'missing.safetensors')))).toBe(sha256(missing));
    expect(sha256(await readFile(path.join(models, 'linkable.safetensors')))).toBe(sha256(linkable));
    return { list, done };
  }

  it('links and downloads through the sidecar, which keeps the lock and fetches once, on the same screens as alone', async () => {
    const alone = await linkAndDownload('alone');

    sidecar = await spawnServe({ cwd: dir, args: [...globals('served'), 'serve', '--port', '0'], env: env() });
    const lockOwner = path.join(dir, 'served', 'models', '.registry', 'lock-owner.json');
    const owner = await readFile(lockOwner, 'utf8');
    expect(JSON.parse(owner)).toMatchObject({ pid: sidecar.child.pid });
    hub.resetLog();

    const through = await linkAndDownload('served');
    expect(tableOf(through.list)).toEqual(tableOf(alone.list));
    expect(tableOf(through.done)).toEqual(tableOf(alone.done));
    // The sidecar did the work: it still holds the lock it took, it logged the job, and the hub sent the file once.
    expect(await readFile(lockOwner, 'utf8')).toBe(owner);
    expect(sidecar.stderr()).toMatch(/job done.*missing\.safetensors/);
    expect(hub.bytesServed({ server: 'cdn', file: 'missing.safetensors' })).toBe(missing.length);
  });

  it('asks for a token through the sidecar, and a cancelled prompt fails the waiting download', async () => {
    expect(sidecar).toBeDefined();
    await startTui('served', 'gated-workflow.json');
    await terminal.waitForScreen((text) => rowOf(text, 'gated.safetensors').includes('Pending'), 'the model list');
    await terminal.keys('Enter', 'd');
    await terminal.waitForScreen((text) => text.includes('Token (used for this download only'), 'the token prompt');
    await terminal.keys('Escape');
    const cancelled = await terminal.waitForScreen(
      (text) => /Failed|Cancelled/.test(rowOf(text, 'gated.safetensors')),
      'the cancelled download',
    );
    expect(cancelled).not.toContain('Token (used for this download only');
    await terminal.keys('Escape');
    await terminal.waitForScreen((text) => text.includes('TUI-EXITED-0'), 'the exit');

    await startTui('served', 'gated-workflow.json');
    await terminal.waitForScreen((text) => rowOf(text, 'gated.safetensors').includes('Pending'), 'the model list');
    await terminal.keys('Enter', 'd');
    await terminal.waitForScreen((text) => text.includes('Token (used for this download only'), 'the token prompt');
    await terminal.keys(...GATED_TOKEN);
    await terminal.keys('Enter');
    const done = await terminal.waitForScreen(
      (text) => rowOf(text, 'gated.safetensors').includes('Complete'),
      'Complete',
      30_000,
    );
    expect(done).not.toContain(GATED_TOKEN.slice(3, 12));
    expect(sidecar?.stderr()).not.toContain(GATED_TOKEN);
    expect(sha256(await readFile(path.join(dir, 'served', 'models', 'loras', 'gated.safetensors')))).toBe(
      sha256(gated),
    );
    await terminal.keys('Escape');
    await terminal.waitForScreen((text) => text.includes('TUI-EXITED-0'), 'the exit');
  });

  it('quitting stops its download in the sidecar too, the partial file kept for the next run', async () => {
    expect(sidecar).toBeDefined();
    await startTui('served', 'slow-workflow.json');
    await terminal.waitForScreen((text) => rowOf(text, 'slow.safetensors').includes('Pending'), 'the model list');
    await terminal.keys('Enter', 'd');
    await terminal.waitForScreen(
      (text) => /Downloading\s+\S+\s+[1-9]\d*%/.test(rowOf(text, 'slow.safetensors')),
      'a download in progress',
    );
    await terminal.keys('Escape');
    await terminal.waitForScreen((text) => text.includes('TUI-EXITED-0'), 'the exit');
    await expect
      .poll(() => sidecar?.stderr() ?? '', { timeout: 10_000 })
      .toMatch(/job failed.*slow\.safetensors.*cancelled/);
    const tmp = path.join(dir, 'served', 'models', '.cache', 'tmp');
    expect((await readdir(tmp)).some((name) => name.endsWith('.part'))).toBe(true);
    await expect(readFile(path.join(dir, 'served', 'models', 'loras', 'slow.safetensors'))).rejects.toThrow(/ENOENT/);
  });
});
