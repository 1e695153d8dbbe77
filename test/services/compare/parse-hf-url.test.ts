import { describe, expect, it } from 'vitest';
import { parseHfUrl, parseRepoId, parseRepoType } from '../../../sidecar/services/compare/parse-hf-url';

describe('parseHfUrl', () => {
  it.each([
    [
      'https://huggingface.co/user/loras',
      { repoId: 'user/loras', repoType: 'model', revision: null, path: null, file: null },
    ],
    [
      'https://huggingface.co/user/loras/tree/main',
      { repoId: 'user/loras', repoType: 'model', revision: 'main', path: null, file: null },
    ],
    [
      'huggingface.co/user/loras/tree/dev/sub/dir/',
      { repoId: 'user/loras', repoType: 'model', revision: 'dev', path: 'sub/dir', file: null },
    ],
    [
      'https://huggingface.co/datasets/x/y',
      { repoId: 'x/y', repoType: 'dataset', revision: null, path: null, file: null },
    ],
    [
      'https://hf.co/spaces/x/y/tree/main',
      { repoId: 'x/y', repoType: 'space', revision: 'main', path: null, file: null },
    ],
    [
      'https://huggingface.co/u/r/blob/main/a/b.safetensors?download=true',
      { repoId: 'u/r', repoType: 'model', revision: 'main', path: 'a', file: 'a/b.safetensors' },
    ],
    [
      'https://huggingface.co/u/r/resolve/refs%2Fpr%2F1/b.safetensors',
      { repoId: 'u/r', repoType: 'model', revision: 'refs/pr/1', path: null, file: 'b.safetensors' },
    ],
  ])('reads %s', (url, expected) => {
    expect(parseHfUrl({ url })).toEqual(expected);
  });

  it('accepts the HF_ENDPOINT host and refuses any other', () => {
    expect(parseHfUrl({ url: 'http://127.0.0.1:4000/datasets/a/b', hfEndpoint: 'http://127.0.0.1:4000' }).repoId).toBe(
      'a/b',
    );
    expect(() => parseHfUrl({ url: 'https://example.com/a/b' })).toThrow(/example\.com is not a HuggingFace host/);
  });

  it('refuses URLs that name no repository', () => {
    expect(() => parseHfUrl({ url: 'https://huggingface.co/' })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    expect(() => parseHfUrl({ url: 'https://huggingface.co/u/r/blob/main' })).toThrow(/names no repository/);
  });
});

describe('parseRepoId / parseRepoType', () => {
  it('accepts user/repo and the type names, refuses the rest with BAD_INPUT', () => {
    expect(parseRepoId(' user/repo-name ')).toBe('user/repo-name');
    expect(() => parseRepoId('a/b/c')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(parseRepoType('datasets')).toBe('dataset');
    expect(() => parseRepoType('repo')).toThrow(/not one of model, dataset, space/);
  });
});
