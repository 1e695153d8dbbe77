import { describe, expect, it } from 'vitest';
import { urlWithoutCredentials } from '../../shared/url-without-credentials';

describe('urlWithoutCredentials', () => {
  it('drops user info and credential parameters, and keeps the file selectors', () => {
    expect(
      urlWithoutCredentials('https://me:pw@civitai.com/api/download/models/1?type=Model&token=abc&format=SafeTensor'),
    ).toBe('https://civitai.com/api/download/models/1?type=Model&format=SafeTensor');
    expect(urlWithoutCredentials('https://x.r2.cloudflarestorage.com/m?X-Amz-Signature=s&X-Amz-Credential=c&a=1')).toBe(
      'https://x.r2.cloudflarestorage.com/m?a=1',
    );
  });

  it('leaves a clean URL as it is and returns undefined for a non-URL', () => {
    const clean = 'https://huggingface.co/o/r/resolve/main/x.safetensors';
    expect(urlWithoutCredentials(clean)).toBe(clean);
    expect(urlWithoutCredentials('nope')).toBeUndefined();
  });
});
