import { describe, expect, it } from 'vitest';
import { hfResolveUrl, parseHubUrl, toFetchUrl } from '../../../sidecar/remote/hub/hub-url';

describe('parseHubUrl', () => {
  it('reads a HuggingFace resolve URL, decoding the revision and keeping the path slashes', () => {
    expect(
      parseHubUrl('https://huggingface.co/org/repo/resolve/refs%2Fpr%2F1/unet/model%20x.safetensors?download=true'),
    ).toEqual({
      provider: 'huggingface',
      kind: 'file',
      repoType: 'model',
      repoId: 'org/repo',
      revision: 'refs/pr/1',
      path: 'unet/model x.safetensors',
    });
  });

  it('reads dataset and space URLs, /blob/ and /tree/ pages and bare repositories', () => {
    expect(parseHubUrl('https://hf.co/datasets/org/data/blob/main/a.parquet')).toMatchObject({
      repoType: 'dataset',
      kind: 'file',
      path: 'a.parquet',
    });
    expect(parseHubUrl('https://huggingface.co/spaces/org/app/tree/dev/src')).toMatchObject({
      repoType: 'space',
      kind: 'folder',
      revision: 'dev',
      path: 'src',
    });
    expect(parseHubUrl('https://huggingface.co/gpt2/resolve/main/config.json')).toMatchObject({
      repoId: 'gpt2',
      revision: 'main',
      path: 'config.json',
    });
    expect(parseHubUrl('https://huggingface.co/org/repo')).toMatchObject({
      kind: 'repo',
      repoId: 'org/repo',
      revision: 'main',
      path: '',
    });
  });

  it('reads URLs on the configured endpoints, under a path prefix too', () => {
    expect(
      parseHubUrl('http://127.0.0.1:9/mirror/org/repo/resolve/main/a.bin', { hfEndpoint: 'http://127.0.0.1:9/mirror' }),
    ).toMatchObject({ repoId: 'org/repo', path: 'a.bin' });
    expect(
      parseHubUrl('http://127.0.0.1:9/api/download/models/5', { civitaiEndpoint: 'http://127.0.0.1:9' }),
    ).toMatchObject({ provider: 'civitai', versionId: 5 });
  });

  it('reads Civitai download URLs and model pages with a version, keeping the file selectors but never the token', () => {
    expect(
      parseHubUrl('https://civitai.com/api/download/models/2514310?type=Model&format=SafeTensor&token=secret'),
    ).toEqual({
      provider: 'civitai',
      versionId: 2514310,
      query: { type: 'Model', format: 'SafeTensor' },
    });
    expect(parseHubUrl('https://civitai.com/models/827184/some-name?modelVersionId=2514310')).toMatchObject({
      versionId: 2514310,
    });
  });

  it('answers null for other hosts, other paths and non-URLs', () => {
    expect(parseHubUrl('https://example.com/org/repo/resolve/main/a.bin')).toBeNull();
    expect(parseHubUrl('https://huggingface.co/api/models/org/repo')).toBeNull();
    expect(parseHubUrl('https://civitai.com/models/827184')).toBeNull();
    expect(parseHubUrl('not a url')).toBeNull();
  });
});

describe('toFetchUrl', () => {
  it('rebases real hosts onto the endpoints and leaves other URLs alone', () => {
    const endpoints = { hfEndpoint: 'http://127.0.0.1:1/', civitaiEndpoint: 'http://127.0.0.1:2' };
    expect(toFetchUrl('https://huggingface.co/org/r/resolve/main/a.bin?x=1', endpoints)).toBe(
      'http://127.0.0.1:1/org/r/resolve/main/a.bin?x=1',
    );
    expect(toFetchUrl('https://civitai.com/api/download/models/1', endpoints)).toBe(
      'http://127.0.0.1:2/api/download/models/1',
    );
    expect(toFetchUrl('https://example.com/a.bin', endpoints)).toBe('https://example.com/a.bin');
    expect(toFetchUrl('https://huggingface.co/a', {})).toBe('https://huggingface.co/a');
  });
});

describe('hfResolveUrl', () => {
  it('percent-encodes the revision as a whole and each path segment', () => {
    expect(hfResolveUrl({ repoId: 'org/r', revision: 'refs/pr/1', path: 'a b/c.bin', repoType: 'dataset' })).toBe(
      'https://huggingface.co/datasets/org/r/resolve/refs%2Fpr%2F1/a%20b/c.bin',
    );
  });
});
