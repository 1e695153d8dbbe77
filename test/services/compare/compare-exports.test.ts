import { describe, expect, it } from 'vitest';
import { compareRepository, type RemoteTreeEntry } from '../../../sidecar/services/compare/compare-repository';
import { createCompareFilter } from '../../../sidecar/services/compare/compare-filter';
import { formatExport } from '../../../sidecar/services/compare/compare-exports';
import { parseAria2Input } from '../aria2-input-grammar';

const sha = 'ab'.repeat(32);

async function* tree(): AsyncGenerator<RemoteTreeEntry> {
  yield { type: 'directory', path: 'loras', size: 0 };
  yield { type: 'file', path: 'loras/wan 2.2/x[1].safetensors', size: 7, lfs: { oid: sha.toUpperCase(), size: 7 } };
  yield { type: 'file', path: 'loras/wan 2.2/notes\ttab.txt', size: 3 };
}

async function compareOnRealHost(file: string | null = null) {
  return compareRepository({
    repoId: 'u/r',
    repoType: 'dataset',
    revision: 'refs/pr/1',
    path: 'loras',
    file,
    hubUrl: 'https://huggingface.co',
    token: 'hf_secret',
    listTree: tree,
    localDir: '/data/loras',
    readLocal: async () => ({
      files: [],
      stats: { mode: 'metadata', filesFound: 0, filesRead: 0, fromCache: 0, invalid: [], ignored: 0 },
    }),
    filter: createCompareFilter({}),
    pattern: null,
    safetensorsOnly: false,
  });
}

describe('formatExport', () => {
  it('writes resolve URLs on the real host, revision and path segments encoded, and never the token', async () => {
    const result = await compareOnRealHost();
    const urls = formatExport('urls', { result, downloadDir: '/data/loras' });
    expect(urls).toBe(
      [
        'https://huggingface.co/datasets/u/r/resolve/refs%2Fpr%2F1/loras/wan%202.2/notes%09tab.txt',
        'https://huggingface.co/datasets/u/r/resolve/refs%2Fpr%2F1/loras/wan%202.2/x%5B1%5D.safetensors',
        '',
      ].join('\n'),
    );
    for (const kind of ['missing', 'matched', 'name-only', 'mismatched', 'local-only', 'urls', 'aria2'] as const) {
      expect(formatExport(kind, { result, downloadDir: '/data/loras' })).not.toContain('hf_secret');
    }
  });

  it('writes an aria2c input file whose out= is relative to the compared folder and whose names cannot break lines', async () => {
    const result = await compareOnRealHost();
    const entries = parseAria2Input(formatExport('aria2', { result, downloadDir: '/data/loras' }));
    expect(entries.map((e) => e.options)).toEqual([
      { dir: '/data/loras', out: 'wan 2.2/notes_tab.txt' },
      { dir: '/data/loras', out: 'wan 2.2/x[1].safetensors', checksum: `sha-256=${sha}` },
    ]);
  });

  it('keeps the tab-separated lists one line per file even for a name with a tab', async () => {
    const result = await compareOnRealHost();
    const rows = formatExport('missing', { result, downloadDir: '/x' })
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(rows.map((r) => r.split('\t').length)).toEqual([4, 4]);
    expect(rows[0]?.split('\t')[0]).toBe('wan 2.2/notes_tab.txt');
  });

  it('compares only the file a /blob/ URL names', async () => {
    const result = await compareOnRealHost('loras/wan 2.2/x[1].safetensors');
    expect(result.groups.missing.map((f) => f.relativePath)).toEqual(['wan 2.2/x[1].safetensors']);
    expect(result.summary.remoteFiles).toBe(1);
  });
});
