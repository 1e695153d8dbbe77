import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { tmuxTerminal } from './tmux-terminal';

// Drives the real `model-depot tui` in a real pseudo-terminal (tmux at 80x24), as a person would.
const ROOT = path.resolve(import.meta.dirname, '../..');
const OUTPUT = path.join(ROOT, 'test-output', 'tui');
const GATED_TOKEN = 'hf_tuiGatedToken0123456789abcdefghij';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const rowOf = (text: string, name: string) => text.split('\n').find((line) => line.includes(name)) ?? '';

describe('model-depot tui', () => {
  const terminal = tmuxTerminal('md-tui');
  const { screen, waitForScreen, keys, chunk } = terminal;
  let hub: FakeHub;
  let dir: string;
  const present = randomBytes(200_000);
  const linkable = randomBytes(300_000);
  const missing = randomBytes(600_000);
  const gated = randomBytes(900_000);

  beforeAll(async () => {
    await mkdir(OUTPUT, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'md-tui-'));
    hub = await createFakeHub();
    hub.addRepo({
      id: 'org/models',
      files: [
        { path: 'present.safetensors', content: present, lfs: true },
        { path: 'linkable.safetensors', content: linkable, lfs: true },
        { path: 'missing.safetensors', content: missing, lfs: true },
      ],
    });
    hub.addRepo({
      id: 'org/gated',
      gated: 'manual',
      tokensWithAccess: [GATED_TOKEN],
      files: [{ path: 'gated.safetensors', content: gated, lfs: true }],
    });
    hub.setFault({ kind: 'slow', bytesPerSecond: 300_000, file: 'gated.safetensors' });
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
    // Slow enough that a person (and the capture) sees the bar move: about 2 s for the missing model.
    hub.setFault({ kind: 'slow', bytesPerSecond: 300_000, file: 'missing.safetensors' });
    await mkdir(path.join(dir, 'models', 'checkpoints'), { recursive: true });
    await writeFile(path.join(dir, 'models', 'checkpoints', 'present.safetensors'), present);
    await mkdir(path.join(dir, 'hub', 'sdxl'), { recursive: true });
    await writeFile(path.join(dir, 'hub', 'sdxl', 'some other name.safetensors'), linkable);
    const entry = (name: string, bytes: Buffer) => ({
      filename: name,
      sha256: sha256(bytes),
      size: bytes.length,
      urls: [`https://huggingface.co/org/models/resolve/main/${name}`],
    });
    await writeFile(
      path.join(dir, 'workflow.json'),
      JSON.stringify({
        nodes: [],
        extra: {
          dependencies: {
            checkpoints: [
              entry('present.safetensors', present),
              entry('linkable.safetensors', linkable),
              entry('missing.safetensors', missing),
            ],
          },
        },
      }),
    );
  });

  /** Starts the real CLI in a fresh 80x24 tmux session; the shell line after it reports the exit code. */
  async function startTui(
    modelsDir: string,
    workflowFile: string,
    extraEnv: Record<string, string> = {},
  ): Promise<void> {
    const env = {
      HF_ENDPOINT: hub.hfUrl,
      CIVITAI_ENDPOINT: hub.civitaiUrl,
      MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'),
      HF_HUB_CACHE: path.join(dir, 'no-hf-cache'),
      HOME: dir,
      TERM: 'xterm-256color',
      ...extraEnv,
    };
    await terminal.start([
      'env',
      '-u',
      'HF_TOKEN',
      '-u',
      'HUGGING_FACE_HUB_TOKEN',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      path.join(ROOT, 'bin', 'model-depot.cjs'),
      '--models',
      modelsDir,
      '--hub-dir',
      path.join(dir, 'hub'),
      'tui',
      workflowFile,
    ]);
  }

  afterAll(async () => {
    terminal.close();
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('selects two of three models, links one and downloads the other, hides present ones with s, and quits cleanly', async () => {
    await startTui(path.join(dir, 'models'), path.join(dir, 'workflow.json'));

    const list = await waitForScreen(
      (text) => text.includes('missing.safetensors') && text.includes('Exists'),
      'the model list',
    );
    await writeFile(path.join(OUTPUT, 'list.txt'), list);
    expect(rowOf(list, 'present.safetensors')).toContain('Exists');
    expect(rowOf(list, 'linkable.safetensors')).toContain('Pending');
    expect(list).toMatch(/✓\s+Config\s+Model File\s+Size \(GB\)\s+Status\s+Destination/);
    for (const line of list.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    // s: the missing-only view hides the model that is already there; s again shows all.
    await keys('s');
    await waitForScreen(
      (text) => !text.includes('present.safetensors') && text.includes('missing only'),
      'the missing-only view',
    );
    await keys('s');
    await waitForScreen((text) => text.includes('present.safetensors') && text.includes('all models'), 'the full view');

    // r forgets the hosts' cached answers and checks again.
    await keys('r');
    await waitForScreen(
      (text) => text.includes('Metadata cache cleared') && text.includes('missing.safetensors'),
      'the cache reset',
    );

    // A resize redraws the table for the new width, and back.
    terminal.run('resize-window', '-x', '120', '-y', '30');
    const wide = await waitForScreen(
      (text) => text.split('\n').some((line) => [...line].length > 80),
      'the wide layout',
    );
    for (const line of wide.split('\n')) expect([...line].length).toBeLessThanOrEqual(120);
    terminal.run('resize-window', '-x', '80', '-y', '24');
    await waitForScreen(
      (text) => text.split('\n').every((line) => [...line].length <= 80) && text.includes('Destination'),
      'the 80x24 layout',
    );

    // Keys arriving in one chunk each count: two arrows move two rows; a then s selects all and hides the present
    // model; u then s clears the selection and shows all again.
    chunk('\u001b[B\u001b[B');
    await waitForScreen((text) => text.includes('checkpoints/missing.safetensors\n'), 'two rows down from one chunk');
    chunk('as');
    const selectedAll = await waitForScreen(
      (text) => text.includes('missing only') && !text.includes('present.safetensors'),
      'a and s from one chunk',
    );
    expect(rowOf(selectedAll, 'missing.safetensors')).toContain('✓');
    expect(rowOf(selectedAll, 'linkable.safetensors')).toContain('✓');
    chunk('us');
    const cleared = await waitForScreen(
      (text) => text.includes('all models') && text.includes('present.safetensors'),
      'u and s from one chunk',
    );
    for (const name of ['present', 'linkable', 'missing']) expect(rowOf(cleared, `${name}.safetensors`)).toMatch(/^·/);

    // A click only moves the cursor: the row under it becomes current, its checkbox stays empty.
    const click = (row: number) => {
      chunk(`\u001b[<0;20;${row}M\u001b[<0;20;${row}m`);
    };
    click(5);
    const clicked = await waitForScreen(
      (text) => text.includes('checkpoints/missing.safetensors\n'),
      'the clicked row to be current',
    );
    expect(rowOf(clicked, 'missing.safetensors')).toMatch(/^·/);
    click(3);
    await waitForScreen(
      (text) => text.includes('checkpoints/present.safetensors\n'),
      'the first row to be current again',
    );

    // Enter toggles the row under the cursor: pick rows 2 and 3, then d.
    await keys('Down', 'Enter', 'Down', 'Enter');
    await waitForScreen(
      (text) => rowOf(text, 'linkable.safetensors').includes('✓') && rowOf(text, 'missing.safetensors').includes('✓'),
      'two selected rows',
    );
    expect(rowOf(screen(), 'present.safetensors')).toContain('·');
    await keys('d');

    // The speed (and so the ETA) shows once its first window is measured.
    const progress = await waitForScreen(
      (text) => /Downloading\s+\S+\s+[1-9]\d*%/.test(rowOf(text, 'missing.safetensors')) && /ETA \d/.test(text),
      'a download in progress',
    );
    await writeFile(path.join(OUTPUT, 'download-in-progress.txt'), progress);
    expect(progress).toMatch(/1\/3 in place|2\/3 in place/);
    expect(progress).toMatch(/1 downloading at .*\/s/);
    expect(progress).toMatch(/ETA \d/);
    for (const line of progress.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    const done = await waitForScreen(
      (text) =>
        rowOf(text, 'linkable.safetensors').includes('Linked') &&
        rowOf(text, 'missing.safetensors').includes('Complete'),
      'Linked and Complete',
    );
    await writeFile(path.join(OUTPUT, 'done.txt'), done);

    const linkPath = path.join(dir, 'models', 'checkpoints', 'linkable.safetensors');
    expect((await lstat(linkPath)).isSymbolicLink()).toBe(true);
    expect(path.isAbsolute(await readlink(linkPath))).toBe(false);
    expect(sha256(await readFile(linkPath))).toBe(sha256(linkable));
    expect(sha256(await readFile(path.join(dir, 'models', 'checkpoints', 'missing.safetensors')))).toBe(
      sha256(missing),
    );

    await keys('Escape');
    const after = await waitForScreen((text) => text.includes('TUI-EXITED-'), 'the process to exit');
    expect(after).toContain('TUI-EXITED-0');
    // The terminal is given back: no alternate screen, no mouse reporting.
    expect(terminal.run('display', '-p', '#{alternate_on} #{mouse_any_flag}').trim()).toBe('0 0');
  });

  it('asks for a token in a masked prompt and never shows it', async () => {
    const models = path.join(dir, 'gated-models');
    await startTui(models, path.join(dir, 'gated-workflow.json'), { NO_COLOR: '1' });
    await waitForScreen((text) => text.includes('gated.safetensors') && text.includes('Pending'), 'the model list');
    await keys('Enter', 'd');
    const prompt = await waitForScreen(
      (text) => text.includes('Token (used for this download only, not saved)'),
      'the token prompt',
    );
    expect(prompt).toContain('huggingface.co/settings/tokens');
    await keys(...[...GATED_TOKEN]);
    const typed = await waitForScreen((text) => text.includes('•'.repeat(20)), 'the masked token');
    expect(typed).not.toContain(GATED_TOKEN.slice(3, 12));
    await keys('Enter');
    await waitForScreen((text) => rowOf(text, 'gated.safetensors').includes('Downloading'), 'the gated download');

    const done = await waitForScreen(
      (text) => rowOf(text, 'gated.safetensors').includes('Complete'),
      'Complete',
      30_000,
    );
    expect(done).not.toContain(GATED_TOKEN.slice(3, 12));
    expect(sha256(await readFile(path.join(models, 'loras', 'gated.safetensors')))).toBe(sha256(gated));
    // NO_COLOR: the pane shows no colour attributes.
    expect(terminal.run('capture-pane', '-p', '-e')).not.toMatch(/\u001b\[(3|9)[0-7]m/);
    await keys('Escape');
    expect(await waitForScreen((text) => text.includes('TUI-EXITED-'), 'the process to exit')).toContain(
      'TUI-EXITED-0',
    );
  });
});
