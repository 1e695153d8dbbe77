import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { DepotError } from '../../shared/errors';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { depotErrorOf } from '../shared/depot-error-of';

const test = base.extend<{ root: string }>({
  // eslint-disable-next-line no-empty-pattern
  root: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-registry-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

const shaA = 'a'.repeat(64);
const shaB = 'b'.repeat(64);
const GiB = 1024 ** 3;

describe('openRegistry', () => {
  test('starts empty and creates models/.registry/models.json on the first change', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    expect(registry.stats()).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
    await registry.upsertModel({ sha256: shaA, size: 10, category: 'checkpoints' });
    const stored = JSON.parse(await readFile(path.join(root, '.registry', 'models.json'), 'utf8'));
    expect(stored.schemaVersion).toBe(1);
    expect(stored.models[shaA]).toMatchObject({ sha256: shaA, size: 10, category: 'checkpoints', file_path: null });
    await registry.close();
  });

  test('keeps the first file as canonical and counts the others as aliases in the stats', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root, now: () => Date.parse('2026-01-02T03:04:05Z') });
    const first = path.join(root, 'checkpoints', 'one.safetensors');
    const second = path.join(root, 'checkpoints', 'sub', 'same as one.safetensors');
    const lora = path.join(root, 'loras', 'l.safetensors');
    await registry.upsertModel({
      sha256: shaA,
      size: 2 * GiB,
      category: 'checkpoints',
      source: 'https://huggingface.co/x/y/resolve/main/one.safetensors',
    });
    await registry.addFile({ path: first, sha256: shaA, kind: 'file', category: 'checkpoints' });
    await registry.addFile({ path: second, sha256: shaA, kind: 'symlink', category: 'checkpoints' });
    await registry.addFile({
      path: lora,
      sha256: shaB,
      kind: 'file',
      category: 'loras',
      stat: { dev: 1, ino: 2, size: GiB / 2, mtimeMs: 3 },
    });

    expect(registry.stats()).toEqual({ model_count: 2, alias_count: 1, total_size_gb: 2.5 });
    expect(registry.findBySha256(shaA)?.file_path).toBe(first);
    expect(registry.findBySha256(shaA.toUpperCase())?.first_seen).toBe('2026-01-02T03:04:05.000Z');
    expect(registry.findByPath(second)).toMatchObject({ sha256: shaA, kind: 'symlink' });
    expect(registry.filesOf(shaA).map((f) => f.path)).toEqual([first, second]);
    expect(registry.findBySha256('c'.repeat(64))).toBeUndefined();
    expect(registry.findByPath(path.join(root, 'nope'))).toBeUndefined();
    expect(registry.list()).toEqual([
      {
        sha256: shaA,
        size: 2 * GiB,
        category: 'checkpoints',
        file_path: first,
        aliases: [second],
        sources: ['https://huggingface.co/x/y/resolve/main/one.safetensors'],
      },
      { sha256: shaB, size: GiB / 2, category: 'loras', file_path: lora, aliases: [], sources: [] },
    ]);
    await registry.close();

    const reopened = await openRegistry({ modelsRoot: root, readOnly: true });
    expect(reopened.stats()).toEqual({ model_count: 2, alias_count: 1, total_size_gb: 2.5 });
    expect(reopened.findByPath(lora)).toMatchObject({ dev: 1, ino: 2, size: GiB / 2, mtimeMs: 3 });
    expect(reopened.list()[0]?.aliases).toEqual([second]);
  });

  test('stores paths absolute, with spaces, unicode and newlines intact', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const odd = path.join(root, 'loras', 'ünï cödé\nnew line.safetensors');
    await registry.addFile({ path: odd, sha256: shaA, kind: 'file', stat: { dev: 1, ino: 1, size: 5, mtimeMs: 1 } });
    await registry.close();
    const reopened = await openRegistry({ modelsRoot: root });
    expect(reopened.findByPath(odd)?.path).toBe(odd);
    await reopened.close();
  });

  test('promotes the oldest remaining file when the canonical one is removed, and forgets a model with no file', async ({
    root,
  }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const [a, b, c] = [
      path.join(root, 'vae', 'a.safetensors'),
      path.join(root, 'vae', 'b.safetensors'),
      path.join(root, 'vae', 'c.safetensors'),
    ];
    await registry.upsertModel({ sha256: shaA, size: 1 });
    for (const p of [a, b, c]) await registry.addFile({ path: p, sha256: shaA, kind: 'file' });
    expect(await registry.removeFile(a)).toBe(true);
    expect(registry.findBySha256(shaA)?.file_path).toBe(b);
    expect(registry.stats().alias_count).toBe(1);
    expect(await registry.removeFile(a)).toBe(false);
    await registry.removeFile(b);
    await registry.removeFile(c);
    expect(registry.findBySha256(shaA)).toBeUndefined();
    expect(registry.stats()).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
    await registry.close();
  });

  test('finds files by base name across folders, and forgets a removed one', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const inLoras = path.join(root, 'loras', 'style.safetensors');
    const inHub = path.join(root, '..', 'hub', 'style.safetensors');
    await registry.upsertModel({ sha256: shaA, size: 1 });
    await registry.upsertModel({ sha256: shaB, size: 2 });
    await registry.addFile({ path: inLoras, sha256: shaA, kind: 'file' });
    await registry.addFile({ path: inHub, sha256: shaB, kind: 'hub' });
    expect(registry.filesNamed('style.safetensors').map((f) => f.path)).toEqual([inLoras, path.resolve(inHub)]);
    await registry.removeFile(inLoras);
    expect(registry.filesNamed('style.safetensors').map((f) => f.sha256)).toEqual([shaB]);
    expect(registry.filesNamed('other.safetensors')).toEqual([]);
    await registry.close();
  });

  test('moves a path registered again under another SHA-256 to the new model', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const p = path.join(root, 'loras', 'x.safetensors');
    const stat = { dev: 1, ino: 1, size: 4, mtimeMs: 1 };
    await registry.addFile({ path: p, sha256: shaA, kind: 'file', stat });
    await registry.addFile({ path: p, sha256: shaB, kind: 'file', stat: { ...stat, mtimeMs: 2 } });
    expect(registry.findBySha256(shaA)).toBeUndefined();
    expect(registry.findBySha256(shaB)?.file_path).toBe(p);
    expect(registry.filesOf(shaB)).toHaveLength(1);
    await registry.close();
  });

  test('refuses an unknown model without a size, and a malformed SHA-256', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    expect((await depotErrorOf(registry.addFile({ path: 'x', sha256: shaA, kind: 'file' }))).code).toBe('BAD_INPUT');
    expect((await depotErrorOf(registry.upsertModel({ sha256: 'abc', size: 1 }))).code).toBe('BAD_INPUT');
    expect((await depotErrorOf(registry.addSource(shaA, 'https://x'))).code).toBe('NOT_FOUND');
    await registry.close();
  });

  test('never stores credentials of a source URL', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    await registry.upsertModel({ sha256: shaA, size: 1 });
    await registry.addSource(shaA, 'https://user:secret@civitai.com/api/download/models/1?type=Model&token=hunter2');
    await registry.addSource(shaA, '/mnt/hub/models/a.safetensors');
    await registry.addSource(shaA, '/mnt/hub/models/a.safetensors');
    expect(registry.findBySha256(shaA)?.sources).toEqual([
      'https://civitai.com/api/download/models/1?type=Model',
      '/mnt/hub/models/a.safetensors',
    ]);
    await registry.close();
    const text = await readFile(path.join(root, '.registry', 'models.json'), 'utf8');
    expect(text).not.toMatch(/hunter2|secret/);
  });

  test('batch() keeps changes in memory and writes them once when it ends', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const file = path.join(root, '.registry', 'models.json');
    await registry.batch(async () => {
      for (let i = 0; i < 100; i++) {
        const sha = i.toString(16).padStart(64, '0');
        await registry.addFile({
          path: path.join(root, `m${i}.gguf`),
          sha256: sha,
          kind: 'file',
          stat: { dev: 1, ino: i, size: 1, mtimeMs: 1 },
        });
        await registry.batch(async () => registry.addSource(sha, `hub/m${i}`));
      }
      await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    });
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).models)).toHaveLength(100);
    await registry.close();
  });

  test('batch() still writes the changes made before its function threw', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    await expect(
      registry.batch(async () => {
        await registry.upsertModel({ sha256: shaA, size: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await registry.close();
    expect((await openRegistry({ modelsRoot: root, readOnly: true })).findBySha256(shaA)).toBeDefined();
  });

  test('saves changes made at the same time outside a batch, the last state last', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => registry.upsertModel({ sha256: i.toString(16).padStart(64, '0'), size: i })),
    );
    await registry.close();
    const stored = JSON.parse(await readFile(path.join(root, '.registry', 'models.json'), 'utf8'));
    expect(Object.keys(stored.models)).toHaveLength(50);
    expect((await readdir(path.join(root, '.registry'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('removes the temporary files of writes a killed process left behind, and nothing else', async ({ root }) => {
    const dir = path.join(root, '.registry');
    await mkdir(dir, { recursive: true });
    const leftovers = ['models.json.4242.0a1b2c3d.tmp', '.models.json.tmp'];
    const kept = ['models.json.corrupt-2026-01-01T00-00-00-000Z', 'notes.tmp', 'hash-cache.json.4242.0a1b2c3d.tmp'];
    for (const name of [...leftovers, ...kept]) await writeFile(path.join(dir, name), '{');
    const registry = await openRegistry({ modelsRoot: root });
    const names = await readdir(dir);
    expect(names.filter((n) => leftovers.includes(n))).toEqual([]);
    expect(names.filter((n) => kept.includes(n)).sort()).toEqual([...kept].sort());
    await registry.close();
  });

  test('stays fast with 10,000 models', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    const started = performance.now();
    await registry.batch(async () => {
      for (let i = 0; i < 10_000; i++) {
        const sha = i.toString(16).padStart(64, '0');
        const stat = { dev: 1, ino: i, size: 1_000_000 + i, mtimeMs: 1 };
        await registry.addFile({
          path: path.join(root, 'loras', `m${i}.safetensors`),
          sha256: sha,
          kind: 'file',
          category: 'loras',
          stat,
        });
        if (i % 2 === 0)
          await registry.addFile({
            path: path.join(root, 'loras', `alias${i}.safetensors`),
            sha256: sha,
            kind: 'symlink',
          });
      }
    });
    await registry.close();
    const reopened = await openRegistry({ modelsRoot: root });
    const lookups = performance.now();
    for (let i = 0; i < 10_000; i++) reopened.findBySha256(i.toString(16).padStart(64, '0'));
    // Generous bounds (CI shares 2 cores): a scan per lookup would take seconds, an index takes milliseconds.
    expect(performance.now() - lookups).toBeLessThan(1_000);
    expect(reopened.stats()).toMatchObject({ model_count: 10_000, alias_count: 5_000 });
    expect(reopened.list()).toHaveLength(10_000);
    await reopened.upsertModel({ sha256: 'f'.repeat(64), size: 1 });
    await reopened.close();
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe('openRegistry locking', () => {
  test('refuses a second writer at once, politely, naming the folder and pid', async ({ root }) => {
    const first = await openRegistry({ modelsRoot: root });
    const started = performance.now();
    const error = await depotErrorOf(openRegistry({ modelsRoot: root }));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe('REGISTRY_LOCKED');
    expect(error.message).toBe(
      `Another model-depot is using ${root} (pid ${process.pid}); stop it or use --models to pick another folder.`,
    );
    await first.close();
    const second = await openRegistry({ modelsRoot: root });
    await second.close();
  });

  test('lets a read-only opener read while a writer holds the lock, and refuses its writes', async ({ root }) => {
    const writer = await openRegistry({ modelsRoot: root });
    await writer.upsertModel({ sha256: shaA, size: 3 });
    const reader = await openRegistry({ modelsRoot: root, readOnly: true });
    expect(reader.stats().model_count).toBe(1);
    await expect(reader.upsertModel({ sha256: shaB, size: 1 })).rejects.toBeInstanceOf(DepotError);
    await writer.close();
  });

  test('closes twice without error and refuses changes after close', async ({ root }) => {
    const registry = await openRegistry({ modelsRoot: root });
    await registry.close();
    await registry.close();
    expect((await depotErrorOf(registry.upsertModel({ sha256: shaA, size: 1 }))).code).toBe('IO');
  });
});

describe('openRegistry with a corrupt file', () => {
  async function writeRegistry(root: string, text: string): Promise<string> {
    await mkdir(path.join(root, '.registry'), { recursive: true });
    const file = path.join(root, '.registry', 'models.json');
    await writeFile(file, text);
    return file;
  }

  test('keeps a file that is not JSON aside, byte for byte, and says how to rebuild', async ({ root }) => {
    const broken = '{"schemaVersion": 1, "models": {';
    const file = await writeRegistry(root, broken);
    const error = await depotErrorOf(
      openRegistry({ modelsRoot: root, now: () => Date.parse('2026-05-06T07:08:09.010Z') }),
    );
    const aside = `${file}.corrupt-2026-05-06T07-08-09-010Z`;
    expect(error.code).toBe('REGISTRY_CORRUPT');
    expect(error.message).toContain(`kept at ${aside}`);
    expect(error.message).toContain('model-depot migrate');
    expect(await readFile(aside, 'utf8')).toBe(broken);
    // The lock was released and the next open starts empty.
    const registry = await openRegistry({ modelsRoot: root });
    expect(registry.stats().model_count).toBe(0);
    await registry.close();
  });

  test('treats a file that does not match the schema as corrupt', async ({ root }) => {
    await writeRegistry(root, JSON.stringify({ schemaVersion: 1, models: { [shaA]: { sha256: shaA } }, files: {} }));
    const error = await depotErrorOf(openRegistry({ modelsRoot: root }));
    expect(error.code).toBe('REGISTRY_CORRUPT');
    expect(error.message).toMatch(/does not match the registry schema \(models\.a+\.size/);
  });

  test('with recoverCorrupt, keeps the file aside and starts empty (what migrate uses)', async ({ root }) => {
    await writeRegistry(root, 'garbage');
    const registry = await openRegistry({ modelsRoot: root, recoverCorrupt: true });
    expect(registry.stats().model_count).toBe(0);
    expect(registry.keptAside).toMatch(/models\.json\.corrupt-/);
    expect(await readFile(registry.keptAside ?? '', 'utf8')).toBe('garbage');
    await registry.upsertModel({ sha256: shaA, size: 1 });
    await registry.close();
    const names = await readdir(path.join(root, '.registry'));
    expect(names.filter((n) => n.startsWith('models.json.corrupt-'))).toHaveLength(1);
  });

  test('read-only openers report a corrupt file without moving it', async ({ root }) => {
    const file = await writeRegistry(root, 'garbage');
    const error = await depotErrorOf(openRegistry({ modelsRoot: root, readOnly: true }));
    expect(error.code).toBe('REGISTRY_CORRUPT');
    expect(error.message).toContain('model-depot migrate');
    expect(await readFile(file, 'utf8')).toBe('garbage');
  });

  test('read-only with recoverCorrupt starts empty in memory and leaves the file in place (migrate --dry-run)', async ({
    root,
  }) => {
    const file = await writeRegistry(root, 'garbage');
    const registry = await openRegistry({ modelsRoot: root, readOnly: true, recoverCorrupt: true });
    expect(registry.stats().model_count).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('garbage');
    expect(await readdir(path.join(root, '.registry'))).toEqual(['models.json']);
  });

  test('does not set aside a registry written by a newer model-depot', async ({ root }) => {
    const file = await writeRegistry(root, JSON.stringify({ schemaVersion: 2, models: {}, files: {} }));
    const error = await depotErrorOf(openRegistry({ modelsRoot: root }));
    expect(error.code).toBe('REGISTRY_CORRUPT');
    expect(error.message).toContain('update model-depot');
    expect(JSON.parse(await readFile(file, 'utf8')).schemaVersion).toBe(2);
  });
});
