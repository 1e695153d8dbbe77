import { describe, expect, it } from 'vitest';
import type { FetchInit, FetchLike } from '../../../sidecar/remote/fetch-like';
import { fetchFollowingRedirects } from '../../../sidecar/remote/download/fetch-following-redirects';
import { createHostPolicy } from '../../../sidecar/remote/host-policy';

/** A fetch that answers every request with a redirect built by `next`, recording what it was sent. */
function redirectingFetch(next: (url: string) => string, seen: Array<{ url: string; init?: FetchInit }>): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    return {
      status: 302,
      headers: { get: (name) => (name.toLowerCase() === 'location' ? next(url) : null) },
      body: null,
    };
  };
}

describe('fetchFollowingRedirects', () => {
  const policy = createHostPolicy();

  it('gives up after maxHops redirects', async () => {
    const seen: Array<{ url: string }> = [];
    const fetch = redirectingFetch((url) => `${url.split('?')[0]}?n=${seen.length}`, seen);
    await expect(
      fetchFollowingRedirects({
        url: 'https://huggingface.co/a/b/resolve/main/f',
        fetch,
        hostPolicy: policy,
        maxHops: 3,
      }),
    ).rejects.toMatchObject({ code: 'HTTP_ERROR', message: expect.stringMatching(/Too many redirects/) });
    expect(seen).toHaveLength(4);
  });

  it('resolves a relative Location and drops the token on the hop to another host', async () => {
    const seen: Array<{ url: string; init?: FetchInit }> = [];
    const hops = ['/api/resolve-cache/models/a/b/c/f', 'https://cdn-lfs.hf.co/x?Signature=s'];
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, init });
      const location = hops[seen.length - 1];
      return location
        ? { status: 307, headers: { get: (n) => (n.toLowerCase() === 'location' ? location : null) }, body: null }
        : { status: 200, headers: { get: () => null }, body: null };
    };
    const out = await fetchFollowingRedirects({
      url: 'https://huggingface.co/a/b/resolve/main/f',
      fetch,
      hostPolicy: policy,
      token: 'hf_secretsecret',
      provider: 'huggingface',
    });
    expect(seen.map((s) => s.url)).toEqual([
      'https://huggingface.co/a/b/resolve/main/f',
      'https://huggingface.co/api/resolve-cache/models/a/b/c/f',
      'https://cdn-lfs.hf.co/x?Signature=s',
    ]);
    expect(seen.map((s) => s.init?.headers?.Authorization)).toEqual([
      'Bearer hf_secretsecret',
      'Bearer hf_secretsecret',
      undefined,
    ]);
    expect(
      seen.every((s) => s.init?.redirect === 'manual' && !/Mozilla/.test(s.init.headers?.['User-Agent'] ?? '')),
    ).toBe(true);
    expect(out.sentToken).toBe(false);
  });

  it('refuses a hop to a host outside the policy before sending anything to it', async () => {
    const seen: Array<{ url: string }> = [];
    const fetch = redirectingFetch(() => 'https://evil.example/steal', seen);
    await expect(
      fetchFollowingRedirects({
        url: 'https://civitai.com/api/download/models/1',
        fetch,
        hostPolicy: policy,
        token: 't',
        provider: 'civitai',
      }),
    ).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(seen.map((s) => s.url)).toEqual(['https://civitai.com/api/download/models/1']);
  });
});
