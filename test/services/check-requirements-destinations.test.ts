import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test as base, vi } from 'vitest';
import { zCheckResult } from '../../shared/check-result';
import type { Requirement } from '../../shared/requirement';
import { fileIdentity } from '../../sidecar/disk/hashing/file-identity';
import { openRegistry } from '../../sidecar/registry/open-registry';
import type { Registry } from '../../sidecar/registry/registry';
import { checkRequirements, type CheckRequirementsOptions } from '../../sidecar/services/check/check-requirements';
import { test as depotTest } from './install-depot-fixture';

interface Place {
  /** The models root; `checkpoints/ext` in it is a symlink to `outside`. */
  root: string;
  /** A folder beside the models root, reached through the symlink. */
  outside: string;
  registry: Registry;
}

const test = base.extend<{ place: Place }>({
  // eslint-disable-next-line no-empty-pattern
  place: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-check-dest-'));
    const root = path.join(dir, 'models');
    const outside = path.join(dir, 'outside');
    await mkdir(path.join(root, 'checkpoints'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, path.join(root, 'checkpoints', 'ext'));
    const registry = await openRegistry({ modelsRoot: root });
    await use({ root, outside, registry });
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  },
});

const HF = (file: string) => `https://huggingface.co/org/repo/resolve/main/${file}`;
const sha256Of = (content: string) => createHash('sha256').update(content).digest('hex');

function requirement(overrides: Partial<Requirement> & Pick<Requirement, 'filename'>): Requirement {
  return { category: 'checkpoints', urls: [], required: true, origin: 'dependencies', ...overrides };
}

function options(
  place: Place,
  requirements: Requirement[],
  extra: Partial<CheckRequirementsOptions> = {},
): CheckRequirementsOptions {
  return { requirements, registry: place.registry, modelsRoot: place.root, freeSpace: async () => 1e12, ...extra };
}

const OUTSIDE_REASON =
  /cannot be installed: its folder resolves to ".*outside", outside the models root \(a symlinked folder\).*replace the symlink with a real folder, then check again\.$/;

describe('checkRequirements: destinations judged by the install rules', () => {
  test('a name under a subfolder symlinked outside the models root is unavailable (UNSAFE_PATH), the normal item beside it is missing', async ({
    place,
  }) => {
    const lookupRemote = vi.fn(async () => ({ size: 10 }));
    const result = await checkRequirements(
      options(
        place,
        [
          requirement({ filename: 'ext/a.safetensors', urls: [HF('a.safetensors')] }),
          requirement({ filename: 'ext/deeper/b.safetensors', urls: [HF('b.safetensors')] }),
          requirement({ filename: 'normal.safetensors', urls: [HF('normal.safetensors')] }),
        ],
        { lookupRemote },
      ),
    );
    expect(result.items.map((i) => [i.targetPath, i.status, i.code])).toEqual([
      ['checkpoints/ext/a.safetensors', 'unavailable', 'UNSAFE_PATH'],
      ['checkpoints/ext/deeper/b.safetensors', 'unavailable', 'UNSAFE_PATH'],
      ['checkpoints/normal.safetensors', 'missing', undefined],
    ]);
    expect(result.items[0]?.reason).toMatch(/^checkpoints\/ext\/a\.safetensors /);
    expect(result.items[0]?.reason).toMatch(OUTSIDE_REASON);
    expect(result.items[0]?.url).toBeUndefined();
    // The refused URLs are not even asked about: only the normal item's host is.
    expect(lookupRemote.mock.calls).toEqual([[HF('normal.safetensors')]]);
    expect(result.summary).toMatchObject({ missing: 1, unavailable: 2, bytesToDownload: 10 });
    expect(zCheckResult.parse(result)).toEqual(result);
  });

  test('a category with a trailing space is refused with the install’s own message; the same name without it is missing', async ({
    place,
  }) => {
    const result = await checkRequirements(
      options(place, [
        requirement({ category: 'checkpoints ', filename: 'c.safetensors', urls: [HF('c.safetensors')] }),
        requirement({ category: 'checkpoints', filename: 'c.safetensors', urls: [HF('c.safetensors')] }),
      ]),
    );
    expect(result.items[0]).toMatchObject({
      status: 'unavailable',
      code: 'UNSAFE_PATH',
      targetPath: 'checkpoints /c.safetensors',
    });
    expect(result.items[0]?.reason).toMatch(
      /^"checkpoints " is not a model folder\. .*correct the workflow, then check again\.$/,
    );
    expect(result.items[1]).toMatchObject({ status: 'missing', url: HF('c.safetensors') });
  });

  test('an item whose destination is refused is never turned into a link to a present twin', async ({ place }) => {
    const content = 'present model';
    await writeFile(path.join(place.root, 'checkpoints', 'present.safetensors'), content);
    const sha256 = sha256Of(content);
    const result = await checkRequirements(
      options(place, [
        requirement({ filename: 'present.safetensors', sha256 }),
        requirement({ category: 'checkpoints ', filename: 'twin.safetensors', sha256, urls: [HF('twin.safetensors')] }),
        requirement({ filename: 'ext/twin.safetensors', sha256, urls: [HF('twin.safetensors')] }),
        requirement({ filename: 'twin.safetensors', sha256, urls: [HF('twin.safetensors')] }),
      ]),
    );
    expect(result.items.map((i) => [i.status, i.code])).toEqual([
      ['present', undefined],
      ['unavailable', 'UNSAFE_PATH'],
      ['unavailable', 'UNSAFE_PATH'],
      ['linkable', undefined],
    ]);
  });

  test('a registered copy is not offered as a link into a folder symlinked outside', async ({ place }) => {
    const file = path.join(place.outside, 'hub-copy.safetensors');
    await writeFile(file, 'registered');
    const sha256 = sha256Of('registered');
    await place.registry.addFile({ path: file, sha256, kind: 'hub', stat: fileIdentity(await stat(file)) });
    const result = await checkRequirements(
      options(place, [
        requirement({ filename: 'ext/l.safetensors', sha256 }),
        requirement({ filename: 'l.safetensors', sha256 }),
      ]),
    );
    expect(result.items.map((i) => i.status)).toEqual(['unavailable', 'linkable']);
    expect(result.items[0]?.reason).toMatch(OUTSIDE_REASON);
  });

  test('a category folder that is itself a symlink leading outside is refused too', async ({ place }) => {
    const elsewhere = path.join(place.outside, 'vae');
    await mkdir(elsewhere);
    await symlink(elsewhere, path.join(place.root, 'vae'));
    const result = await checkRequirements(
      options(place, [requirement({ category: 'vae', filename: 'v.safetensors', urls: [HF('v.safetensors')] })]),
    );
    expect(result.items[0]).toMatchObject({ status: 'unavailable', code: 'UNSAFE_PATH' });
    expect(result.items[0]?.reason).toMatch(/"[^"]*outside\/vae"/);
  });

  test('a symlinked subfolder that stays inside the models root, and a file already under the outside one, are fine', async ({
    place,
  }) => {
    await mkdir(path.join(place.root, 'loras'));
    await symlink('../loras', path.join(place.root, 'checkpoints', 'inside'));
    await writeFile(path.join(place.outside, 'there.safetensors'), 'already there');
    const result = await checkRequirements(
      options(place, [
        requirement({ filename: 'inside/x.safetensors', urls: [HF('x.safetensors')] }),
        // Present: nothing would be written, and ComfyUI reads it where it is.
        requirement({ filename: 'ext/there.safetensors', urls: [HF('there.safetensors')] }),
      ]),
    );
    expect(result.items.map((i) => i.status)).toEqual(['missing', 'present']);
  });
});

const REPO = 'org/models';

describe('check and install agree on refused destinations (through the depot)', () => {
  depotTest(
    'the check does not offer what the install refuses; the install fails it at once with UNSAFE_PATH and fetches nothing for it',
    async ({ hub, openDepot, modelsRoot, dir }) => {
      hub.addRepo({
        id: REPO,
        files: [
          { path: 'a.safetensors', size: 4096 },
          { path: 'b.safetensors', size: 2048 },
        ],
      });
      await mkdir(path.join(dir, 'outside'));
      await mkdir(path.join(modelsRoot, 'checkpoints'), { recursive: true });
      await symlink(path.join(dir, 'outside'), path.join(modelsRoot, 'checkpoints', 'ext'));
      const url = (file: string) => `https://huggingface.co/${REPO}/resolve/main/${file}`;
      const depot = await openDepot();

      const check = await depot.check({
        dependencies: {
          checkpoints: [
            { filename: 'ext/a.safetensors', url: url('a.safetensors') },
            { filename: 'b.safetensors', url: url('b.safetensors') },
          ],
        },
      });
      expect(check.items.map((i) => [i.targetPath, i.status, i.code])).toEqual([
        ['checkpoints/ext/a.safetensors', 'unavailable', 'UNSAFE_PATH'],
        ['checkpoints/b.safetensors', 'missing', undefined],
      ]);

      // Everything the workflow names, plus a raw category with a trailing space (as an HTTP body may send it).
      const jobs = await depot.install([
        ...check.items.map((i) => i.requirement),
        { category: 'checkpoints ', filename: 'c.safetensors', urls: [url('b.safetensors')], origin: 'dependencies' },
      ]);
      const done = await depot.settled(jobs.map((j) => j.id));
      expect(done.map((j) => [j.state, j.error?.code])).toEqual([
        ['failed', 'UNSAFE_PATH'],
        ['complete', undefined],
        ['failed', 'UNSAFE_PATH'],
      ]);
      expect(done[0]?.error?.message).toBe(check.items[0]?.reason);
      expect(hub.requests.some((r) => r.path.endsWith('/b.safetensors'))).toBe(true);
      expect(hub.requests.some((r) => r.path.endsWith('/a.safetensors'))).toBe(false);
      expect(await readdir(path.join(dir, 'outside'))).toEqual([]);
    },
  );
});
