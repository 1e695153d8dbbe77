import { describe, expect, it } from 'vitest';
import { cleanSource } from '../../sidecar/registry/clean-source';

describe('cleanSource', () => {
  it('keeps a plain download URL and a hub path as they are', () => {
    const hf = 'https://huggingface.co/org/repo/resolve/main/model.safetensors';
    expect(cleanSource(hf)).toBe(hf);
    expect(cleanSource('/mnt/hub/models/a b.safetensors')).toBe('/mnt/hub/models/a b.safetensors');
  });

  it('drops user:password, fragments and credential or signature parameters', () => {
    expect(cleanSource('https://u:p@civitai.com/api/download/models/9?type=Model&token=abc#x')).toBe(
      'https://civitai.com/api/download/models/9?type=Model',
    );
    expect(
      cleanSource(
        'https://cdn-lfs.hf.co/repos/a/b?X-Amz-Signature=s&X-Amz-Credential=c&Expires=1&Key-Pair-Id=k&download=1',
      ),
    ).toBe('https://cdn-lfs.hf.co/repos/a/b?download=1');
    expect(cleanSource('HTTPS://example.com/x?api_key=1')).toBe('https://example.com/x');
    expect(cleanSource('https://d1.cloudfront.net/m?Policy=p&Signature=s&type=Model')).toBe(
      'https://d1.cloudfront.net/m?type=Model',
    );
  });
});
