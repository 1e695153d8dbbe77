import { describe, expect } from 'vitest';
import type { HfTreeEntry } from '../../../sidecar/remote/hub/hub-schemas';
import { hfListTree } from '../../../sidecar/remote/hub/hf-list-tree';
import { test } from '../../fake-hub/fake-hub-fixture';

async function collect(entries: AsyncIterable<HfTreeEntry>): Promise<HfTreeEntry[]> {
  const all: HfTreeEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

describe('hfListTree', () => {
  test('follows Link over 3 pages of a 2,500-file repository and waits out a 429 as RateLimit asks', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/big',
      files: Array.from({ length: 2500 }, (_, i) => ({
        path: `f/${String(i).padStart(4, '0')}.safetensors`,
        size: 10 + (i % 7),
      })),
    });
    hub.setFault({
      kind: 'fail',
      status: 429,
      server: 'hf',
      urlPath: '/api/models/org/big/tree',
      resetSeconds: 3,
      times: 1,
    });
    const waits: number[] = [];
    const entries = await collect(
      hfListTree({
        repoId: 'org/big',
        hubUrl: hub.hfUrl,
        sleep: async (ms) => void waits.push(ms),
        retry: { noiseMs: 0 },
      }),
    );
    expect(waits).toEqual([4000]);
    const files = entries.filter((e) => e.type === 'file');
    expect(files).toHaveLength(2500);
    expect(entries.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['f']);
    expect(hub.requests.filter((r) => r.path.includes('/tree/') && r.status === 200)).toHaveLength(3);
    expect(files[0].lfs?.oid).toBe(await hub.sha256Of({ repoId: 'org/big', path: 'f/0000.safetensors' }));
  });

  test('honours an integer Retry-After on a 503', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'a.json', content: '{}' }] });
    hub.setFault({ kind: 'fail', status: 503, server: 'hf', retryAfter: 2, times: 1 });
    const waits: number[] = [];
    expect(
      await collect(
        hfListTree({
          repoId: 'org/m',
          hubUrl: hub.hfUrl,
          sleep: async (ms) => void waits.push(ms),
          retry: { noiseMs: 0 },
        }),
      ),
    ).toHaveLength(1);
    expect(waits).toEqual([2000]);
  });

  test('lists one folder of a dataset at a percent-encoded revision', async ({ hub }) => {
    hub.addRepo({
      id: 'org/d',
      type: 'dataset',
      aliases: ['refs/pr/2'],
      files: [
        { path: 'a/x.json', content: '{}' },
        { path: 'b/y.json', content: '[]' },
      ],
    });
    const entries = await collect(
      hfListTree({ repoId: 'org/d', repoType: 'dataset', revision: 'refs/pr/2', path: 'a', hubUrl: hub.hfUrl, fetch }),
    );
    expect(entries.map((e) => e.path)).toEqual(['a/x.json']);
    expect(hub.requests[0].path).toBe('/api/datasets/org/d/tree/refs%2Fpr%2F2/a');
  });

  test('a private repository needs the token; with it the listing works', async ({ hub }) => {
    hub.addRepo({
      id: 'org/p',
      private: true,
      tokensWithAccess: ['hf_owner'],
      files: [{ path: 'm.safetensors', size: 5 }],
    });
    await expect(collect(hfListTree({ repoId: 'org/p', hubUrl: hub.hfUrl }))).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    expect(await collect(hfListTree({ repoId: 'org/p', hubUrl: hub.hfUrl, token: 'hf_owner' }))).toHaveLength(1);
    expect(JSON.stringify(hub.requests)).not.toContain('hf_owner');
  });

  test('reports a missing revision or folder as NOT_FOUND', async ({ hub }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'a.json', content: '{}' }] });
    await expect(collect(hfListTree({ repoId: 'org/m', revision: 'nope', hubUrl: hub.hfUrl }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(collect(hfListTree({ repoId: 'org/m', path: 'nothing', hubUrl: hub.hfUrl }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
  test('stops with HTTP_ERROR when a page links back to one already listed', async () => {
    const asked: string[] = [];
    const loop = async (url: string) => {
      asked.push(url);
      const page = new URL(url).searchParams.get('cursor') === 'b' ? 'a' : 'b';
      return {
        status: 200,
        headers: new Headers({ link: `<https://hub.test/api/models/org/m/tree/main?cursor=${page}>; rel="next"` }),
        text: async () => '[]',
      };
    };
    await expect(
      collect(hfListTree({ repoId: 'org/m', hubUrl: 'https://hub.test', fetch: loop })),
    ).rejects.toMatchObject({ code: 'HTTP_ERROR', message: expect.stringMatching(/links back to .* already listed/) });
    expect(asked).toHaveLength(3);
  });
});
