import { describe, expect, it } from 'vitest';
import { compareCollections } from '../../../sidecar/services/compare/compare-collections';
import type { LocalFile, RemoteFile } from '../../../sidecar/services/compare/compare-schema';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const remote = (path: string, sha256: string | null): RemoteFile => ({
  path,
  relativePath: path,
  size: 10,
  sha256,
  url: `https://huggingface.co/u/r/resolve/main/${path}`,
});
const local = (name: string, sha256: string | null, hasExtension = true): LocalFile => ({
  name,
  hasExtension,
  path: null,
  sha256,
  size: 10,
  source: `/meta/${name}.json`,
});

describe('compareCollections', () => {
  it('matches by SHA-256 whatever the local name', () => {
    const groups = compareCollections({
      remote: [remote('a/x.safetensors', sha(1))],
      local: [local('renamed.safetensors', sha(1))],
    });
    expect(groups.matched.map((p) => p.local.name)).toEqual(['renamed.safetensors']);
    expect(groups.localOnly).toEqual([]);
  });

  it('sorts same-named files by what can be proven: name-only without a hash, mismatched with two different hashes', () => {
    const groups = compareCollections({
      remote: [
        remote('sub/plain.safetensors', null),
        remote('noHash.safetensors', sha(2)),
        remote('Other.safetensors', sha(3)),
      ],
      local: [
        local('plain.safetensors', sha(9)),
        local('nohash.safetensors', null),
        local('other.SAFETENSORS', sha(4)),
      ],
    });
    expect(groups.nameOnly.map((p) => p.remote.path)).toEqual(['sub/plain.safetensors', 'noHash.safetensors']);
    expect(groups.mismatched.map((p) => [p.remote.sha256, p.local.sha256])).toEqual([[sha(3), sha(4)]]);
    expect(groups.missing).toEqual([]);
    expect(groups.localOnly).toEqual([]);
  });

  it("compares Lora-Manager's extension-less file_name with the remote stem only", () => {
    const groups = compareCollections({
      remote: [remote('style_v1.safetensors', sha(5)), remote('style_v1.ckpt.txt', null)],
      local: [local('style_v1', sha(6), false)],
    });
    expect(groups.mismatched.map((p) => p.remote.path)).toEqual(['style_v1.safetensors']);
    expect(groups.missing.map((f) => f.path)).toEqual(['style_v1.ckpt.txt']);
  });

  it('lists local models the repository lacks once, even when two JSON files describe them', () => {
    const groups = compareCollections({
      remote: [remote('x.safetensors', sha(1))],
      local: [
        local('x.safetensors', sha(1)),
        local('extra.safetensors', sha(7)),
        local('extra-copy.safetensors', sha(7)),
        local('nohash.safetensors', null),
      ],
    });
    expect(groups.localOnly.map((f) => f.name)).toEqual(['extra.safetensors', 'nohash.safetensors']);
  });
});
