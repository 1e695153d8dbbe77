import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test as base, vi } from 'vitest';
import type { Requirement } from '../../../shared/requirement';
import { zCheckResult } from '../../../shared/check-result';
import { hashFile } from '../../../sidecar/disk/hashing/hash-file';
import { openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { fileIdentity } from '../../../sidecar/disk/hashing/file-identity';
import { openRegistry } from '../../../sidecar/registry/open-registry';
import type { Registry } from '../../../sidecar/registry/registry';
import { createHostPolicy } from '../../../sidecar/remote/host-policy';
import { checkRequirements, type CheckRequirementsOptions } from '../../../sidecar/services/check/check-requirements';

interface Place {
  /** The models root. */
  root: string;
  /** A hub folder outside the models root. */
  hub: string;
  /** A HuggingFace cache outside the models root. */
  hfCache: string;
  registry: Registry;
}

const test = base.extend<{ place: Place }>({
  // eslint-disable-next-line no-empty-pattern
  place: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-check-'));
    const root = path.join(dir, 'models');
    await mkdir(root);
    const registry = await openRegistry({ modelsRoot: root });
    await use({ root, hub: path.join(dir, 'hub'), hfCache: path.join(dir, 'hf-cache'), registry });
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  },
});

interface Written {
  path: string;
  sha256: string;
  size: number;
}

async function writeModel(file: string, content: string): Promise<Written> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return { path: file, sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
}

async function register(
  registry: Registry,
  file: Written,
  kind: 'file' | 'hub' | 'hf-cache' | 'symlink' = 'file',
): Promise<void> {
  await registry.addFile({ path: file.path, sha256: file.sha256, kind, stat: fileIdentity(await stat(file.path)) });
}

function requirement(overrides: Partial<Requirement> & Pick<Requirement, 'filename'>): Requirement {
  return { category: 'checkpoints', urls: [], required: true, origin: 'dependencies', ...overrides };
}

const HF = (file: string) => `https://huggingface.co/org/repo/resolve/main/${file}`;
const GB = 1_000_000_000;

function options(
  place: Place,
  requirements: Requirement[],
  extra: Partial<CheckRequirementsOptions> = {},
): CheckRequirementsOptions {
  return { requirements, registry: place.registry, modelsRoot: place.root, freeSpace: async () => 100 * GB, ...extra };
}

describe('checkRequirements', () => {
  describe('present', () => {
    test('a file with the right hash under the wanted name; hashed once, then known to the hash cache', async ({
      place,
    }) => {
      const file = await writeModel(path.join(place.root, 'checkpoints', 'a.safetensors'), 'model A');
      const cache = await openHashCache({ file: path.join(place.root, '.registry', 'hash-cache.json') });
      const hasher = vi.fn(hashFile);
      const reqs = [requirement({ filename: 'a.safetensors', sha256: file.sha256 })];
      const first = await checkRequirements(options(place, reqs, { hashCache: cache, hashFile: hasher }));
      expect(first.items[0]).toMatchObject({
        status: 'present',
        targetPath: 'checkpoints/a.safetensors',
        sha256: file.sha256,
        size: 7,
      });
      const second = await checkRequirements(options(place, reqs, { hashCache: cache, hashFile: hasher }));
      expect(second.items[0]?.status).toBe('present');
      expect(hasher).toHaveBeenCalledTimes(1);
    });

    test('trusts the registry entry while its recorded stat matches, without reading the file', async ({ place }) => {
      const file = await writeModel(path.join(place.root, 'loras', 'l.safetensors'), 'lora');
      await register(place.registry, file);
      const hasher = vi.fn(hashFile);
      const result = await checkRequirements(
        options(place, [requirement({ category: 'loras', filename: 'l.safetensors', sha256: file.sha256 })], {
          hashFile: hasher,
        }),
      );
      expect(result.items[0]?.status).toBe('present');
      expect(hasher).not.toHaveBeenCalled();
    });

    test('a symlink made by an earlier install counts as present through its real file', async ({ place }) => {
      const real = await writeModel(path.join(place.root, 'checkpoints', 'real.safetensors'), 'bytes');
      await register(place.registry, real);
      await symlink('real.safetensors', path.join(place.root, 'checkpoints', 'alias.safetensors'));
      const hasher = vi.fn(hashFile);
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'alias.safetensors', sha256: real.sha256 })], { hashFile: hasher }),
      );
      expect(result.items[0]?.status).toBe('present');
      expect(hasher).not.toHaveBeenCalled();
    });

    test('with no expected SHA-256, a file under the wanted name is present', async ({ place }) => {
      await writeModel(path.join(place.root, 'vae', 'ae.safetensors'), 'vae');
      const result = await checkRequirements(
        options(place, [
          requirement({ category: 'vae', filename: 'ae.safetensors', urls: [HF('ae.safetensors')], origin: 'models' }),
        ]),
      );
      expect(result.items[0]).toMatchObject({ status: 'present', size: 3 });
    });
  });

  describe('conflict', () => {
    test('another content under the wanted name is a conflict, and the file is left as it was', async ({ place }) => {
      const wanted = createHash('sha256').update('the real model').digest('hex');
      const other = await writeModel(path.join(place.root, 'checkpoints', 'sd.safetensors'), 'something else');
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'sd.safetensors', sha256: wanted, urls: [HF('sd.safetensors')] })]),
      );
      expect(result.items[0]).toMatchObject({ status: 'conflict', sha256: wanted });
      expect(result.items[0]?.reason).toMatch(
        /^another file is already at checkpoints\/sd\.safetensors: it has SHA-256 [0-9a-f]{12}…, the workflow expects [0-9a-f]{12}…\. It is never overwritten/,
      );
      expect(await readFile(other.path, 'utf8')).toBe('something else');
      expect(result.summary).toMatchObject({ conflict: 1, bytesToDownload: 0 });
    });

    test('a size that differs from the expected one is a conflict without hashing', async ({ place }) => {
      await writeModel(path.join(place.root, 'checkpoints', 'big.safetensors'), 'short');
      const hasher = vi.fn(hashFile);
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'big.safetensors', sha256: 'c'.repeat(64), size: 6938078334 })], {
          hashFile: hasher,
        }),
      );
      expect(result.items[0]?.reason).toMatch(/is 5 bytes, the workflow expects 6938078334/);
      expect(hasher).not.toHaveBeenCalled();
    });

    test('a folder or a broken symlink under the wanted name is a conflict', async ({ place }) => {
      await mkdir(path.join(place.root, 'checkpoints', 'dir.safetensors'), { recursive: true });
      await symlink('nowhere.safetensors', path.join(place.root, 'checkpoints', 'broken.safetensors'));
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'dir.safetensors' }), requirement({ filename: 'broken.safetensors' })]),
      );
      expect(result.items.map((i) => i.status)).toEqual(['conflict', 'conflict']);
      expect(result.items[0]?.reason).toMatch(/a folder or special file sits under that name/);
      expect(result.items[1]?.reason).toMatch(/a broken symlink sits under that name; remove it/);
    });
  });

  describe('linkable', () => {
    test('workflow B needs the bytes of workflow A under another name', async ({ place }) => {
      const a = await writeModel(path.join(place.root, 'checkpoints', 'sd_xl_base_1.0.safetensors'), 'sdxl bytes');
      await register(place.registry, a);
      const result = await checkRequirements(
        options(place, [
          requirement({
            filename: 'sdxl-base-v1.safetensors',
            sha256: a.sha256,
            size: a.size,
            urls: [HF('sd_xl_base_1.0.safetensors')],
          }),
        ]),
      );
      expect(result.items[0]).toMatchObject({
        status: 'linkable',
        targetPath: 'checkpoints/sdxl-base-v1.safetensors',
        source: { path: a.path, kind: 'models' },
        size: a.size,
      });
      expect(result.summary).toMatchObject({ linkable: 1, bytesToDownload: 0, bytesSavedByLinking: a.size });
    });

    test('from a hub folder, the HF cache or any registered file outside the models root, with the kind of place', async ({
      place,
    }) => {
      const inHub = await writeModel(path.join(place.hub, 'SDXL', 'base.safetensors'), 'hub bytes');
      const blob = await writeModel(path.join(place.hfCache, 'models--o--r', 'blobs', 'x'), 'cache bytes');
      const elsewhere = await writeModel(
        path.join(place.hub, '..', 'other-comfyui', 'models', 'loras', 'l.safetensors'),
        'elsewhere',
      );
      await register(place.registry, inHub, 'hub');
      await register(place.registry, blob, 'hf-cache');
      await register(place.registry, elsewhere, 'file');
      const result = await checkRequirements(
        options(place, [
          requirement({ filename: 'base.safetensors', sha256: inHub.sha256 }),
          requirement({ category: 'vae', filename: 'v.safetensors', sha256: blob.sha256 }),
          requirement({ category: 'loras', filename: 'l.safetensors', sha256: elsewhere.sha256 }),
        ]),
      );
      expect(result.items.map((i) => [i.status, i.source?.kind, i.source?.path])).toEqual([
        ['linkable', 'hub', inHub.path],
        ['linkable', 'hf-cache', blob.path],
        ['linkable', 'registry', elsewhere.path],
      ]);
    });

    test('prefers a real file to a symlink, and skips copies that are gone or changed since registered', async ({
      place,
    }) => {
      const content = 'same bytes';
      const gone = await writeModel(path.join(place.root, 'checkpoints', 'gone.safetensors'), content);
      const changed = await writeModel(path.join(place.root, 'checkpoints', 'changed.safetensors'), content);
      const real = await writeModel(path.join(place.hub, 'real.safetensors'), content);
      const link = path.join(place.root, 'checkpoints', 'link.safetensors');
      await symlink(real.path, link);
      await register(place.registry, gone);
      await register(place.registry, changed);
      await register(place.registry, { ...real, path: link }, 'symlink');
      await register(place.registry, real, 'hub');
      await rm(gone.path);
      await utimes(changed.path, new Date(), new Date(Date.now() + 5000));
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'wanted.safetensors', sha256: real.sha256 })]),
      );
      expect(result.items[0]).toMatchObject({ status: 'linkable', source: { path: real.path, kind: 'hub' } });
    });

    test('a template without hash: the host gives the SHA-256 and the copy under another name is found', async ({
      place,
    }) => {
      const inHub = await writeModel(path.join(place.hub, 'flux-dev.safetensors'), 'flux bytes');
      await register(place.registry, inHub, 'hub');
      const url = 'https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev.safetensors';
      const lookupRemote = vi.fn(async (asked: string) =>
        asked === url ? { sha256: inHub.sha256.toUpperCase(), size: inHub.size } : null,
      );
      const result = await checkRequirements(
        options(
          place,
          [
            requirement({
              category: 'diffusion_models',
              filename: 'flux1-dev.safetensors',
              urls: [url],
              origin: 'models',
            }),
          ],
          {
            lookupRemote,
          },
        ),
      );
      expect(result.items[0]).toMatchObject({
        status: 'linkable',
        sha256: inHub.sha256,
        source: { path: inHub.path, kind: 'hub' },
      });
      expect(lookupRemote).toHaveBeenCalledTimes(1);
    });

    test('a loader widget value with no usable URL is found by name in a hub folder', async ({ place }) => {
      const inHub = await writeModel(path.join(place.hub, 'loras', 'detail.safetensors'), 'lora bytes');
      await place.registry.addFile({
        path: inHub.path,
        sha256: inHub.sha256,
        kind: 'hub',
        category: 'loras',
        stat: fileIdentity(await stat(inHub.path)),
      });
      const result = await checkRequirements(
        options(place, [
          requirement({ category: 'loras', filename: 'detail.safetensors', origin: 'widget' }),
          requirement({
            category: 'loras',
            filename: 'sub/detail.safetensors',
            urls: ['https://example.com/detail.safetensors'],
          }),
        ]),
      );
      for (const item of result.items) {
        expect(item).toMatchObject({
          status: 'linkable',
          sha256: inHub.sha256,
          source: { path: inHub.path, kind: 'hub' },
        });
      }
    });

    test('two names of the same bytes in one workflow: the second links to the first when it is on disk', async ({
      place,
    }) => {
      const a = await writeModel(path.join(place.root, 'checkpoints', 'a.safetensors'), 'twin');
      const result = await checkRequirements(
        options(place, [
          requirement({ filename: 'a.safetensors', sha256: a.sha256 }),
          requirement({ filename: 'b.safetensors', sha256: a.sha256, urls: [HF('b.safetensors')] }),
        ]),
      );
      expect(result.items[1]).toMatchObject({
        status: 'linkable',
        source: { path: a.path, kind: 'models' },
        size: a.size,
      });
      expect(result.items[1]?.url).toBeUndefined();
    });
  });

  describe('missing', () => {
    test('gives the URL, the provider, the size and whether a token is needed', async ({ place }) => {
      const civitai = 'https://civitai.com/api/download/models/135867';
      const result = await checkRequirements(
        options(place, [
          requirement({
            filename: 'sd.safetensors',
            sha256: 'd'.repeat(64),
            size: 6938078334,
            urls: ['http://example.com/x.safetensors', HF('sd.safetensors')],
          }),
          requirement({
            category: 'loras',
            filename: 'l.safetensors',
            size: 1000,
            urls: [civitai],
            requiresAuth: true,
          }),
        ]),
      );
      expect(result.items[0]).toMatchObject({
        status: 'missing',
        url: HF('sd.safetensors'),
        provider: 'huggingface',
        size: 6938078334,
        needsToken: false,
      });
      expect(result.items[1]).toMatchObject({ status: 'missing', provider: 'civitai', needsToken: true });
      expect(result.items[1]?.url).toBe('https://civitai.com/api/download/models/135867');
      expect(result.summary).toMatchObject({ missing: 2, bytesToDownload: 6938079334, needsToken: true, fits: true });
    });

    test('takes size and the need for a token from the host; a failed look-up leaves it missing', async ({ place }) => {
      const lookupRemote = async (url: string) => {
        if (url.includes('gated')) return { needsToken: true };
        if (url.includes('broken')) throw new Error('connection reset');
        return { sha256: 'e'.repeat(64), size: 42 };
      };
      const result = await checkRequirements(
        options(
          place,
          [
            requirement({ filename: 'gated.safetensors', urls: [HF('gated.safetensors')] }),
            requirement({ filename: 'broken.safetensors', urls: [HF('broken.safetensors')] }),
            requirement({ filename: 'known.safetensors', urls: [HF('known.safetensors')] }),
          ],
          { lookupRemote },
        ),
      );
      expect(result.items.map((i) => [i.status, i.needsToken, i.sha256, i.size])).toEqual([
        ['missing', true, undefined, undefined],
        ['missing', false, undefined, undefined],
        ['missing', false, 'e'.repeat(64), 42],
      ]);
    });

    test('counts the bytes of one model once when two names share its SHA-256, and says when it does not fit', async ({
      place,
    }) => {
      const sha256 = 'f'.repeat(64);
      const result = await checkRequirements(
        options(
          place,
          [
            requirement({ filename: 'one.safetensors', sha256, size: 5 * GB, urls: [HF('one.safetensors')] }),
            requirement({ filename: 'two.safetensors', sha256, size: 5 * GB, urls: [HF('one.safetensors')] }),
          ],
          { freeSpace: async () => 4 * GB },
        ),
      );
      expect(result.summary).toEqual({
        total: 2,
        present: 0,
        linkable: 0,
        missing: 2,
        conflict: 0,
        unavailable: 0,
        bytesToDownload: 5 * GB,
        bytesSavedByLinking: 0,
        freeBytes: 4 * GB,
        fits: false,
        unknownSizes: 0,
        space: 'not-enough',
        needsToken: false,
      });
    });

    test('allows loopback URLs only when the host policy does', async ({ place }) => {
      const reqs = [requirement({ filename: 'x.safetensors', urls: ['http://127.0.0.1:9/x.safetensors'] })];
      const strict = await checkRequirements(options(place, reqs));
      expect(strict.items[0]?.status).toBe('unavailable');
      const loose = await checkRequirements(
        options(place, reqs, { hostPolicy: createHostPolicy({ allowLoopback: true }) }),
      );
      expect(loose.items[0]).toMatchObject({ status: 'missing', url: 'http://127.0.0.1:9/x.safetensors' });
    });
  });

  describe('unavailable', () => {
    test('no URL and nothing known by name or hash', async ({ place }) => {
      const result = await checkRequirements(
        options(place, [requirement({ filename: 'nowhere.safetensors', origin: 'widget' })]),
      );
      expect(result.items[0]).toMatchObject({ status: 'unavailable', code: 'NOT_FOUND' });
      expect(result.items[0]?.reason).toMatch(/^the workflow gives no URL for it/);
    });

    test('a URL carrying a token is refused with a pointer to the token settings, the token not shown', async ({
      place,
    }) => {
      const result = await checkRequirements(
        options(place, [
          requirement({
            category: 'loras',
            filename: 'l.safetensors',
            urls: ['https://civitai.com/api/download/models/135867?token=secret-token'],
          }),
        ]),
      );
      expect(result.items[0]).toMatchObject({ status: 'unavailable' });
      expect(result.items[0]?.reason).toMatch(/carries a credential in the "token" parameter; .+ token settings/);
      expect(JSON.stringify(result)).not.toContain('secret-token');
    });

    test('a URL outside the allowed hosts, named without its credentials', async ({ place }) => {
      const result = await checkRequirements(
        options(place, [
          requirement({ filename: 'x.safetensors', urls: ['https://user:pw@evil.example/x.safetensors?token=abc'] }),
        ]),
      );
      expect(result.items[0]).toMatchObject({ status: 'unavailable', code: 'HOST_NOT_ALLOWED' });
      expect(result.items[0]?.reason).toMatch(
        /its URL is not allowed \(https:\/\/evil\.example\/x\.safetensors\?token=REDACTED\)/,
      );
      expect(JSON.stringify(result)).not.toMatch(/pw@|token=abc/);
    });

    test('an unsafe name or an unknown folder is reported on its item; the others are checked', async ({ place }) => {
      const result = await checkRequirements(
        options(place, [
          requirement({ filename: '../../escape.safetensors', urls: [HF('x.safetensors')] }),
          requirement({ category: '../x', filename: 'c.safetensors' }),
          requirement({ category: 'ipadapter/\u202eLXDS', filename: 'ip.safetensors' }),
          requirement({ filename: 'notes.txt', urls: [HF('notes.txt')] }),
          requirement({ filename: 'fine.safetensors', urls: [HF('fine.safetensors')] }),
        ]),
      );
      expect(result.items.map((i) => i.status)).toEqual([
        'unavailable',
        'unavailable',
        'unavailable',
        'unavailable',
        'missing',
      ]);
      expect(result.items[0]?.reason).toMatch(/"\.\."/);
      expect(result.items[1]?.reason).toMatch(/"\.\.\/x" is not a model folder\. It contains "\.\." as a path segment/);
      expect(result.items[2]?.reason).toMatch(/bidirectional text control character/);
      expect(result.items.map((i) => i.code)).toEqual([
        'UNSAFE_PATH',
        'UNSAFE_PATH',
        'UNSAFE_PATH',
        'UNSAFE_PATH',
        undefined,
      ]);
      expect(result.items[3]?.reason).toMatch(/model extension/);
    });
  });

  test('returns a result the shared schema accepts, with the invalid entries passed through', async ({ place }) => {
    const invalid = [{ path: 'models[0]', message: 'url must be a URL (http or https)' }];
    const result = await checkRequirements(
      options(place, [requirement({ filename: 'a.safetensors', urls: [HF('a.safetensors')] })], { invalid }),
    );
    expect(zCheckResult.parse(result)).toEqual(result);
    expect(result.invalid).toEqual(invalid);
  });

  test('is fast: 50 requirements against a registry of 10,000 models', async ({ place }) => {
    const requirements: Requirement[] = [];
    await place.registry.batch(async () => {
      for (let i = 0; i < 10_000; i++) {
        const sha256 = createHash('sha256').update(`model ${i}`).digest('hex');
        await place.registry.addFile({
          path: path.join(place.hub, `m${i}.safetensors`),
          sha256,
          kind: 'hub',
          stat: { dev: 1, ino: i, size: 1000 + i, mtimeMs: 1 },
        });
      }
    });
    await place.registry.batch(async () => {
      for (let i = 0; i < 20; i++) {
        const file = await writeModel(path.join(place.root, 'loras', `l${i}.safetensors`), `lora ${i}`);
        await register(place.registry, file);
        requirements.push(requirement({ category: 'loras', filename: `l${i}.safetensors`, sha256: file.sha256 }));
        requirements.push(requirement({ category: 'loras', filename: `alias${i}.safetensors`, sha256: file.sha256 }));
      }
    });
    for (let i = 0; i < 10; i++) {
      requirements.push(
        requirement({
          filename: `new${i}.safetensors`,
          sha256: 'a'.repeat(63) + (i % 10),
          size: 10,
          urls: [HF(`new${i}.safetensors`)],
        }),
      );
    }
    const times: number[] = [];
    for (let run = 0; run < 15; run++) {
      const started = performance.now();
      const result = await checkRequirements(options(place, requirements));
      times.push(performance.now() - started);
      expect(result.summary).toMatchObject({ present: 20, linkable: 20, missing: 10 });
    }
    times.sort((a, b) => a - b);
    // The bench asks for p99 < 20 ms over the WebSocket; here the median, with room for a loaded CI box.
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(20);
  });
});
