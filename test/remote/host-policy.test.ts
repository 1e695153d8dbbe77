import { describe, expect, it } from 'vitest';
import { createHostPolicy } from '../../sidecar/remote/host-policy';

describe('createHostPolicy', () => {
  const real = createHostPolicy();

  it('allows HuggingFace, its CDN hosts, Civitai and its R2 storage over https', () => {
    for (const url of [
      'https://huggingface.co/org/repo/resolve/main/x.safetensors',
      'https://cdn-lfs.huggingface.co/repos/a/b',
      'https://cdn-lfs-us-1.hf.co/x',
      'https://cas-bridge.xethub.hf.co/x',
      'https://d1.aws.cdn.hf.co/x',
      'https://civitai.com/api/download/models/1',
      'https://civitai-delivery-worker-prod.abc123.r2.cloudflarestorage.com/model/1/x.safetensors?X-Amz-Signature=s',
    ]) {
      expect(real.verdict(url), url).toBeDefined();
    }
  });

  it('refuses other hosts, plain http, look-alike names, credentials in URLs and odd ports', () => {
    for (const url of [
      'https://evil.example/x',
      'http://huggingface.co/x',
      'https://huggingface.co.evil.example/x',
      'https://evilhuggingface.co/x',
      'https://attacker.r2.cloudflarestorage.com/x',
      'https://user:pw@huggingface.co/x',
      'https://huggingface.co:8443/x',
      'ftp://huggingface.co/x',
      'http://127.0.0.1:8080/x',
      'not a url',
    ]) {
      expect(real.verdict(url), url).toBeUndefined();
    }
    expect(() => real.check('https://evil.example/x?token=abc')).toThrow(
      expect.objectContaining({ code: 'HOST_NOT_ALLOWED', message: expect.not.stringContaining('abc') }),
    );
  });

  it('sends a token only to its own provider endpoint, never to a CDN or storage host', () => {
    expect(real.mayReceiveToken('https://huggingface.co/a/b/resolve/main/f', 'huggingface')).toBe(true);
    expect(real.mayReceiveToken('https://huggingface.co/a/b/resolve/main/f', 'civitai')).toBe(false);
    expect(real.mayReceiveToken('https://cdn-lfs.hf.co/x', 'huggingface')).toBe(false);
    expect(real.mayReceiveToken('https://civitai.com/api/download/models/1', 'civitai')).toBe(true);
    expect(real.mayReceiveToken('https://civitai-x.a.r2.cloudflarestorage.com/x', 'civitai')).toBe(false);
    expect(real.mayReceiveToken('https://evil.example/x', 'huggingface')).toBe(false);
  });

  it('treats HF_ENDPOINT and CIVITAI_ENDPOINT hosts (port included) as the providers, other loopback only when allowed', () => {
    const policy = createHostPolicy({ hfEndpoint: 'http://127.0.0.1:4001', civitaiEndpoint: 'http://127.0.0.1:4002' });
    expect(policy.check('http://127.0.0.1:4001/a/b/resolve/main/f')).toEqual({
      provider: 'huggingface',
      isEndpoint: true,
    });
    expect(policy.mayReceiveToken('http://127.0.0.1:4002/api/download/models/1', 'civitai')).toBe(true);
    expect(policy.verdict('http://localhost:4003/cdn/x')).toBeUndefined();
    expect(policy.verdict('http://127.0.0.1:4009/x')).toBeUndefined();
    const loose = createHostPolicy({ hfEndpoint: 'http://127.0.0.1:4001', allowLoopback: true });
    expect(loose.check('http://localhost:4003/cdn/x')).toEqual({ isEndpoint: false });
    expect(loose.mayReceiveToken('http://localhost:4003/cdn/x', 'huggingface')).toBe(false);
    expect(loose.verdict('http://10.0.0.1/x')).toBeUndefined();
  });

  it('refuses an endpoint that would send tokens over plain http off loopback', () => {
    expect(() => createHostPolicy({ hfEndpoint: 'http://mirror.example' })).toThrow(
      expect.objectContaining({ code: 'BAD_CONFIG' }),
    );
  });
});
