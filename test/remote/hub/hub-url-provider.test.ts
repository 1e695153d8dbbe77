import { describe, expect, it } from 'vitest';
import { hubUrlProvider } from '../../../sidecar/remote/hub/hub-url-provider';

describe('hubUrlProvider', () => {
  it.each([
    ['https://huggingface.co/o/r/resolve/main/x.safetensors', 'huggingface'],
    ['https://HF.co/o/r/resolve/main/x.safetensors', 'huggingface'],
    ['https://cdn-lfs-us-1.hf.co/repos/x', 'huggingface'],
    ['https://civitai.com/api/download/models/1', 'civitai'],
    ['https://huggingface.co.evil.example/x', undefined],
    ['https://nothuggingface.co/x', undefined],
    ['not a url', undefined],
  ])('%s -> %s', (url, provider) => {
    expect(hubUrlProvider(url)).toBe(provider);
  });
});
