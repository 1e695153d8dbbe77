import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test as base } from 'vitest';
import { openRegistry } from '../../sidecar/registry/open-registry';

const WRITER = fileURLToPath(new URL('./fixtures/registry-writer.ts', import.meta.url));
const BATCH = 200;

const test = base.extend<{ root: string }>({
  // eslint-disable-next-line no-empty-pattern
  root: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-sigkill-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

/** Starts the writer and resolves once it has written at least `writes` batches. */
function startWriter(root: string, staleMs: number | undefined, writes: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, root, String(staleMs ?? ''), String(BATCH)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let seen = 0;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += (chunk.toString().match(/^wrote /gm) ?? []).length;
      if (seen >= writes) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`writer exited with ${code}: ${stderr}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('registry under SIGKILL', () => {
  test('loads, whole and unlocked, after the writer is killed at random moments during writes', async ({ root }) => {
    let previous = 0;
    for (let round = 0; round < 4; round++) {
      const child = await startWriter(root, 2000, 2);
      await sleep(Math.random() * 150);
      await kill(child);

      const started = performance.now();
      const registry = await openRegistry({ modelsRoot: root, lockStaleMs: 2000 });
      expect(performance.now() - started).toBeLessThan(6_000);
      const { model_count: count } = registry.stats();
      // Batches are atomic on disk: never a partial batch, never fewer models than a finished earlier round saw.
      expect(count % BATCH).toBe(0);
      expect(count).toBeGreaterThan(previous);
      expect(registry.list()).toHaveLength(count);
      previous = count;
      await registry.close();
    }
    const names = await readdir(path.join(root, '.registry'));
    expect(names.filter((n) => n.includes('corrupt'))).toEqual([]);
    // A writer killed between its temporary file and the rename leaves that file; the next opener removes it.
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('a restarted process opens within a few seconds with the default stale time', async ({ root }) => {
    const child = await startWriter(root, undefined, 1);
    await kill(child);
    const started = performance.now();
    const registry = await openRegistry({ modelsRoot: root });
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(registry.stats().model_count).toBeGreaterThan(0);
    await registry.close();
  });

  test('a live writer in another process is refused at once', async ({ root }) => {
    const child = await startWriter(root, undefined, 1);
    try {
      const started = performance.now();
      await expect(openRegistry({ modelsRoot: root })).rejects.toMatchObject({
        code: 'REGISTRY_LOCKED',
        message: expect.stringContaining(`(pid ${child.pid})`),
      });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await kill(child);
    }
  });
});
