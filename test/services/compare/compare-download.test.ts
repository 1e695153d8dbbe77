import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { downloadMissing } from '../../../sidecar/services/compare/compare-download';
import { createHostPolicy } from '../../../sidecar/remote/host-policy';
import { DepotError } from '../../../shared/errors';
import type { RemoteFile } from '../../../sidecar/services/compare/compare-schema';

const file = (relativePath: string, sha256: string | null = null): RemoteFile => ({
  path: `loras/${relativePath}`,
  relativePath,
  size: 3,
  sha256,
  url: `https://huggingface.co/u/r/resolve/main/loras/${relativePath}`,
});

describe('downloadMissing', () => {
  it('keeps the repository layout below the folder, passes the SHA-256, and goes on after one failure', async () => {
    const download = vi.fn(async (request: { dest: string; expectedSha256?: string }) => {
      if (request.dest.endsWith('bad.safetensors'))
        throw new DepotError('HASH_MISMATCH', 'bad.safetensors: SHA-256 differs');
      return { sha256: request.expectedSha256 ?? 'f'.repeat(64), size: 3 };
    });
    const outcomes = await downloadMissing({
      files: [file('a/x.safetensors', 'a'.repeat(64)), file('bad.safetensors'), file('README.md')],
      downloadDir: '/data/loras',
      download,
      hostPolicy: createHostPolicy(),
      token: 'hf_x',
      parallel: 1,
    });
    expect(outcomes.map((o) => [o.path, o.ok, o.dest, o.code])).toEqual([
      ['loras/a/x.safetensors', true, join('/data/loras', 'a/x.safetensors'), undefined],
      ['loras/bad.safetensors', false, join('/data/loras', 'bad.safetensors'), 'HASH_MISMATCH'],
      ['loras/README.md', true, join('/data/loras', 'README.md'), undefined],
    ]);
    expect(download.mock.calls[0]?.[0]).toMatchObject({
      expectedSha256: 'a'.repeat(64),
      expectedSize: 3,
      token: 'hf_x',
      tmpDir: join('/data/loras', '.model-depot-partial'),
    });
  });

  it('refuses a repository path that would leave the folder, without fetching it', async () => {
    const download = vi.fn(async () => ({ sha256: 'f'.repeat(64), size: 3 }));
    const [outcome] = await downloadMissing({
      files: [file('../../etc/evil.safetensors')],
      downloadDir: '/data/loras',
      download,
      hostPolicy: createHostPolicy(),
    });
    expect(outcome).toMatchObject({ ok: false, code: 'UNSAFE_PATH' });
    expect(download).not.toHaveBeenCalled();
  });
});
