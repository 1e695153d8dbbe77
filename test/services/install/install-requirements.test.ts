import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { jobStatusLabel, type Job } from '../../../shared/job';
import { test } from '../install-depot-fixture';

const REPO = 'org/models';
const SIZE = 1024 * 1024 + 5;

function dependency(category: string, filename: string, sha256: string | undefined, source: string) {
  return {
    category,
    filename,
    ...(sha256 ? { sha256 } : {}),
    urls: [`https://huggingface.co/${REPO}/resolve/main/${source}`],
    origin: 'dependencies' as const,
  };
}

describe('installRequirements (through the depot)', () => {
  test('a 1 GiB gated LFS file: fetched with the token through the CDN redirect, which never saw it, then verified and registered', async ({
    hub,
    openDepot,
    modelsRoot,
  }) => {
    const size = 1024 * 1024 * 1024;
    hub.addRepo({
      id: 'gated/big',
      gated: 'manual',
      tokensWithAccess: ['hf_big'],
      files: [{ path: 'big.safetensors', size }],
    });
    const sha256 = await hub.sha256Of({ repoId: 'gated/big', path: 'big.safetensors' });
    const depot = await openDepot();
    const jobs = await depot.install(
      [
        {
          category: 'checkpoints',
          filename: 'big.safetensors',
          sha256,
          urls: ['https://huggingface.co/gated/big/resolve/main/big.safetensors'],
          origin: 'dependencies',
        },
      ],
      { tokens: { huggingface: 'hf_big' }, waitForToken: false },
    );
    const [done] = await depot.settled(jobs.map((j) => j.id));
    expect(done?.state).toBe('complete');
    const dest = path.join(modelsRoot, 'checkpoints', 'big.safetensors');
    expect((await stat(dest)).size).toBe(size);
    expect(depot.list()).toEqual([expect.objectContaining({ sha256, size, category: 'checkpoints' })]);
    const hf = hub.requests.filter((r) => r.server === 'hf');
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(hf.length).toBeGreaterThan(0);
    expect(hf.every((r) => r.hasAuthorization)).toBe(true);
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.some((r) => r.hasAuthorization)).toBe(false);
    expect(hub.bytesServed({ server: 'cdn' })).toBe(size);
  }, 60_000);

  test('two names of the same missing bytes in one install download once and link the second', async ({
    hub,
    openDepot,
    modelsRoot,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: 'a.safetensors', size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: 'a.safetensors' });
    const depot = await openDepot();
    const jobs = await depot.install([
      dependency('checkpoints', 'first.safetensors', sha256, 'a.safetensors'),
      dependency('checkpoints', 'second.safetensors', sha256, 'a.safetensors'),
    ]);
    const done = await depot.settled(jobs.map((j) => j.id));
    expect(done.map((j) => j.state).sort()).toEqual(['complete', 'linked']);
    expect(hub.bytesServed()).toBeLessThan(2 * SIZE);
    const files = await Promise.all(
      ['first', 'second'].map((n) => readFile(path.join(modelsRoot, 'checkpoints', `${n}.safetensors`))),
    );
    expect(files[0]?.equals(files[1] ?? Buffer.alloc(0))).toBe(true);
    expect(depot.stats()).toMatchObject({ model_count: 1, alias_count: 1 });
  });

  test('falls back to a hard link where symlinks are refused, and to a copy where neither works, and says which', async ({
    hub,
    openDepot,
    modelsRoot,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: 'a.safetensors', size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: 'a.safetensors' });
    const first = await openDepot({ linkOptions: { allowSymlink: false } });
    const a = await first.install([dependency('loras', 'a.safetensors', sha256, 'a.safetensors')]);
    await first.settled(a.map((j) => j.id));
    const b = await first.install([dependency('loras', 'b.safetensors', sha256, 'a.safetensors')]);
    const [hard] = await first.settled(b.map((j) => j.id));
    expect(hard).toMatchObject({ state: 'linked', linkKind: 'hardlink' });
    expect((await stat(path.join(modelsRoot, 'loras', 'b.safetensors'))).nlink).toBe(2);
    await first.close();

    const second = await openDepot({ linkOptions: { allowSymlink: false, allowHardlink: false } });
    const c = await second.install([dependency('loras', 'c.safetensors', sha256, 'a.safetensors')]);
    const [copy] = await second.settled(c.map((j) => j.id));
    expect(copy).toMatchObject({ state: 'linked', linkKind: 'copy' });
    const copied = await lstat(path.join(modelsRoot, 'loras', 'c.safetensors'));
    expect(copied.isFile() && copied.nlink === 1).toBe(true);
    expect(second.list()[0]?.aliases).toHaveLength(2);
  });

  test('reports status words: Exists for a present file, Failed with the reason for an unavailable one', async ({
    hub,
    openDepot,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: 'a.safetensors', size: SIZE }] });
    const depot = await openDepot();
    const a = await depot.install([dependency('vae', 'a.safetensors', undefined, 'a.safetensors')]);
    await depot.settled(a.map((j) => j.id));
    const again = await depot.install([
      dependency('vae', 'a.safetensors', undefined, 'a.safetensors'),
      { category: 'vae', filename: 'nowhere.safetensors', urls: [], origin: 'widget' as const },
      {
        category: 'vae',
        filename: 'evil.safetensors',
        urls: ['https://evil.example/x.safetensors'],
        origin: 'models' as const,
      },
    ]);
    const done: Job[] = await depot.settled(again.map((j) => j.id));
    expect(done.map((j) => jobStatusLabel(j.state))).toEqual(['Exists', 'Failed', 'Failed']);
    expect(done[1]?.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no URL/) });
    expect(done[2]?.error).toMatchObject({ code: 'HOST_NOT_ALLOWED', message: expect.stringMatching(/not allowed/) });
  });

  test('a cancelled job waiting for a token ends cancelled, and its token waiter is gone', async ({
    hub,
    openDepot,
  }) => {
    hub.addRepo({
      id: 'gated/x',
      gated: 'manual',
      tokensWithAccess: ['hf_abc'],
      files: [{ path: 'g.safetensors', size: SIZE }],
    });
    const depot = await openDepot();
    const asked: string[][] = [];
    depot.on('authRequired', (e) => asked.push(e.jobIds));
    const [job] = await depot.install(
      [
        {
          category: 'loras',
          filename: 'g.safetensors',
          urls: [`https://huggingface.co/gated/x/resolve/main/g.safetensors`],
          origin: 'dependencies',
        },
      ],
      { clientId: 'c1' },
    );
    await new Promise<void>((resolve) => depot.on('authRequired', () => resolve()));
    expect(asked).toEqual([[job?.id]]);
    expect(depot.job(job?.id ?? '')?.state).toBe('waiting-for-token');
    expect(depot.provideToken('huggingface', 'hf_abc', { clientId: 'someone-else' })).toEqual([]);
    depot.cancel(job?.id ?? '');
    const [done] = await depot.settled([job?.id ?? '']);
    expect(done?.state).toBe('cancelled');
    expect(depot.provideToken('huggingface', 'hf_abc', { clientId: 'c1' })).toEqual([]);
  });
});
